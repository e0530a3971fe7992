using Recommender.Data;
using Recommender.Models.Onnx;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>
/// The baseline member of a blend: mean + b_u + b_i with shrunk biases (Koren 2010, §2.1), fitted
/// by alternating closed-form updates b_i = Σ(r − μ − b_u) / (λ_i + n_i),
/// b_u = Σ(r − μ − b_i) / (λ_u + n_u). It is what users and items with few ratings fall back to,
/// and it corrects the other members' bias errors in the blend.
/// </summary>
public sealed class BaselineModel : IBlendableModel
{
    private const int Sweeps = 4;

    private BaselineModel(float mean, float[] userBias, float[] itemBias)
    {
        GlobalMean = mean;
        UserBias = userBias;
        ItemBias = itemBias;
    }

    public string Kind => "baseline";

    public float GlobalMean { get; }

    public float[] UserBias { get; }

    public float[] ItemBias { get; }

    public static BaselineModel Fit(IndexedRatings ratings, double userShrinkage, double itemShrinkage)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentOutOfRangeException.ThrowIfNegative(userShrinkage);
        ArgumentOutOfRangeException.ThrowIfNegative(itemShrinkage);
        var mean = ratings.Count == 0 ? 0 : ratings.Values.Average(v => (double)v);
        var userBias = new double[ratings.UserCount];
        var itemBias = new double[ratings.ItemCount];
        var sums = new double[Math.Max(ratings.UserCount, ratings.ItemCount)];
        var counts = new int[sums.Length];
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            Update(ratings.Items, ratings.Users, userBias, itemBias, itemShrinkage);
            Update(ratings.Users, ratings.Items, itemBias, userBias, userShrinkage);
        }

        return new BaselineModel((float)mean, ToFloat(userBias), ToFloat(itemBias));

        // Sets each row's bias to its shrunk mean residual given the other side's biases.
        void Update(int[] rows, int[] others, double[] otherBias, double[] rowBias, double shrinkage)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (var n = 0; n < ratings.Count; n++)
            {
                sums[rows[n]] += ratings.Values[n] - mean - otherBias[others[n]];
                counts[rows[n]]++;
            }

            for (var r = 0; r < rowBias.Length; r++)
            {
                rowBias[r] = sums[r] / (shrinkage + counts[r] + 1e-12);
            }
        }
    }

    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        for (var n = 0; n < users.Length; n++)
        {
            scores[n] = GlobalMean + UserBias[users[n]] + ItemBias[items[n]];
        }
    }

    public string AddRatingGraph(OnnxGraphBuilder graph, string userIds, string itemIds, string prefix)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var mean = graph.AddFloatInitializer(prefix + "global_mean", [GlobalMean]);
        var userTable = graph.AddFloatInitializer(prefix + "user_bias", UserBias, UserBias.Length);
        var itemTable = graph.AddFloatInitializer(prefix + "item_bias", ItemBias, ItemBias.Length);
        var user = graph.AddNode("Gather", [userTable, userIds], prefix + "user_bias_values", OnnxAttributes.Int("axis", 0));
        var item = graph.AddNode("Gather", [itemTable, itemIds], prefix + "item_bias_values", OnnxAttributes.Int("axis", 0));
        // (mean + b_u) + b_i: the association Score uses.
        var withUser = graph.AddNode("Add", [mean, user], prefix + "mean_plus_user_bias");
        return graph.AddNode("Add", [withUser, item], prefix + "score");
    }

    private static float[] ToFloat(double[] values) => [.. values.Select(v => (float)v)];
}
