using Recommender.Contracts.V1;

namespace Recommender.TrainerService.Tests;

/// <summary>Training requests sized for tests.</summary>
internal static class Requests
{
    /// <summary>A few seconds at most: tiny synthetic data, 3 MF epochs and (optionally) 1 neural epoch.</summary>
    public static StartTrainingRequest Tiny(string modelName = "tiny", bool neural = true)
    {
        var request = new StartTrainingRequest
        {
            ModelName = modelName,
            Dataset = new DatasetSource { Synthetic = new SyntheticDataset { Users = 60, Items = 80, Ratings = 1500, Seed = 7 } },
            Mf = new MfParameters { Variant = MfVariant.Biased, Factors = 8, Epochs = 3 },
        };
        if (neural)
        {
            request.Neural = new NeuralParameters { EmbeddingDim = 8, Epochs = 1, BatchSize = 128 };
            request.Neural.HiddenSizes.Add(16);
        }

        return request;
    }

    /// <summary>Runs for minutes unless cancelled: many MF epochs over a moderate dataset.</summary>
    public static StartTrainingRequest Long(string modelName = "long") => new()
    {
        ModelName = modelName,
        Dataset = new DatasetSource { Synthetic = new SyntheticDataset { Users = 2000, Items = 1000, Ratings = 200_000, Seed = 3 } },
        Mf = new MfParameters { Variant = MfVariant.Biased, Factors = 128, Epochs = 1000 },
    };
}
