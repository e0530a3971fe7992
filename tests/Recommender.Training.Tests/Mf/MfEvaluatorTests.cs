using Recommender.Data;
using Recommender.Models.Mf;
using Recommender.Training.Mf;

namespace Recommender.Training.Tests.Mf;

public sealed class MfEvaluatorTests
{
    [Fact]
    public void Rmse_and_mae_use_clipped_predictions()
    {
        // k = 1; user factors (2, 1), item factors (3, 1), no biases.
        // (0,0): 2*3 = 6 -> clipped 5, rating 4: error -1
        // (1,1): 1*1 = 1, rating 3: error 2
        // (1,0): 1*3 = 3, rating 3: error 0
        // MSE = (1 + 4 + 0) / 3, MAE = 3 / 3 = 1
        var model = new MfModel(2, 2, 1, [2f, 1f], [3f, 1f], null);
        var ratings = new IndexedRatings([0, 1, 1], [0, 1, 0], [4f, 3f, 3f], 2, 2);

        Assert.Equal(Math.Sqrt(5.0 / 3), MfEvaluator.Rmse(model, ratings), 6);
        Assert.Equal(1.0, MfEvaluator.Mae(model, ratings), 6);
    }

    [Fact]
    public void Biases_are_part_of_the_prediction()
    {
        // 3 + 0.5 - 0.25 + 1*1 = 4.25 against 4: error 0.25
        var model = new MfModel(1, 1, 1, [1f], [1f], new MfBiases(3f, [0.5f], [-0.25f]));
        var ratings = new IndexedRatings([0], [0], [4f], 1, 1);

        Assert.Equal(0.25, MfEvaluator.Rmse(model, ratings), 6);
        Assert.Equal(0.25, MfEvaluator.Mae(model, ratings), 6);
    }

    [Fact]
    public void Ratings_outside_the_model_are_refused()
    {
        var model = new MfModel(1, 1, 1, [1f], [1f], null);

        Assert.Throws<ArgumentException>(() => MfEvaluator.Rmse(model, new IndexedRatings([1], [0], [4f], 2, 1)));
    }
}
