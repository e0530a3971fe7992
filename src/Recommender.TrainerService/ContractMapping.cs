using Google.Protobuf.WellKnownTypes;
using Recommender.Jobs;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Proto = Recommender.Contracts.V1;

namespace Recommender.TrainerService;

/// <summary>Converts between protobuf messages and the job system's types.</summary>
internal static class ContractMapping
{
    public static JobRequest ToDomain(this Proto.StartTrainingRequest request) => new(
        request.ModelName,
        request.Dataset.ToDomain(),
        request.Split,
        request.Mf is { } mf ? new MfSpec(mf.Variant.ToDomain(), mf.Factors, mf.Epochs, mf.LearningRate, mf.Regularization, mf.Seed) : null,
        request.Neural is { } n
            ? new NeuralSpec(n.EmbeddingDim, [.. n.HiddenSizes], n.Epochs, n.BatchSize, n.LearningRate, n.Dropout, n.WeightDecay, n.Seed, n.EarlyStoppingPatience)
            {
                Architecture = n.Architecture.ToDomain(),
                NoSideFeatures = n.NoSideFeatures,
                EmbeddingUpdates = n.EmbeddingUpdates.ToDomain(),
            }
            : null)
    {
        Blend = request.Blend is { } b ? new BlendSpec(b.NoAutorec) : null,
        ValidationFraction = request.ValidationFraction,
        Implicit = request.Implicit is { } i
            ? new ImplicitSpec(i.Factors, i.Epochs, i.Regularization, i.Alpha, i.UnobservedWeight, i.RatingThreshold, i.Seed)
            : null,
    };

    public static Proto.StartTrainingRequest ToContract(this JobRequest request)
    {
        var message = new Proto.StartTrainingRequest
        {
            ModelName = request.ModelName,
            Dataset = request.Dataset.ToContract(),
            Split = request.Split,
            Blend = request.Blend is { } blend ? new Proto.BlendParameters { NoAutorec = blend.NoAutoRec } : null,
            ValidationFraction = request.ValidationFraction,
        };
        if (request.Mf is { } mf)
        {
            message.Mf = new Proto.MfParameters
            {
                Variant = mf.Variant switch
                {
                    MfVariant.Seed => Proto.MfVariant.Seed,
                    MfVariant.Biased => Proto.MfVariant.Biased,
                    MfVariant.Bayesian => Proto.MfVariant.Bayesian,
                    _ => Proto.MfVariant.Unspecified,
                },
                Factors = mf.Factors,
                Epochs = mf.Epochs,
                LearningRate = mf.LearningRate,
                Regularization = mf.Regularization,
                Seed = mf.Seed,
            };
        }

        if (request.Neural is { } n)
        {
            message.Neural = new Proto.NeuralParameters
            {
                EmbeddingDim = n.EmbeddingDim,
                Epochs = n.Epochs,
                BatchSize = n.BatchSize,
                LearningRate = n.LearningRate,
                Dropout = n.Dropout,
                WeightDecay = n.WeightDecay,
                Seed = n.Seed,
                EarlyStoppingPatience = n.EarlyStoppingPatience,
                Architecture = n.Architecture switch
                {
                    NeuralArchitecture.Seed => Proto.NeuralArchitecture.Seed,
                    NeuralArchitecture.NeuMf => Proto.NeuralArchitecture.Neumf,
                    _ => Proto.NeuralArchitecture.Unspecified,
                },
                NoSideFeatures = n.NoSideFeatures,
                EmbeddingUpdates = n.EmbeddingUpdates switch
                {
                    EmbeddingUpdates.Dense => Proto.EmbeddingUpdates.Dense,
                    EmbeddingUpdates.Lazy => Proto.EmbeddingUpdates.Lazy,
                    _ => Proto.EmbeddingUpdates.Unspecified,
                },
            };
            message.Neural.HiddenSizes.AddRange(n.HiddenSizes);
        }

        if (request.Implicit is { } i)
        {
            message.Implicit = new Proto.ImplicitParameters
            {
                Factors = i.Factors,
                Epochs = i.Epochs,
                Regularization = i.Regularization,
                Alpha = i.Alpha,
                UnobservedWeight = i.UnobservedWeight,
                RatingThreshold = i.RatingThreshold,
                Seed = i.Seed,
            };
        }

        return message;
    }

    public static Proto.TrainingJob ToContract(this JobRecord record)
    {
        var job = new Proto.TrainingJob
        {
            JobId = record.Id,
            State = record.State.ToContract(),
            ModelName = record.Request.ModelName,
            CreatedAt = Timestamp.FromDateTimeOffset(record.CreatedAt),
            PublishedVersion = record.PublishedVersion ?? 0,
            Error = record.Error ?? "",
            Request = record.Request.ToContract(),
        };
        if (record.StartedAt is { } started)
        {
            job.StartedAt = Timestamp.FromDateTimeOffset(started);
        }

        if (record.FinishedAt is { } finished)
        {
            job.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        }

        return job;
    }

    /// <param name="published">The published version's manifest, for a Published event (null if unreadable).</param>
    public static Proto.WatchTrainingResponse ToContract(this JobEvent e, string jobId, string modelName, Manifest? published)
    {
        var response = new Proto.WatchTrainingResponse { JobId = jobId, At = Timestamp.FromDateTimeOffset(e.At) };
        switch (e.Kind)
        {
            case JobEventKind.Queued:
                response.Queued = new Proto.JobQueued { Position = e.Position ?? 0 };
                break;
            case JobEventKind.Started:
                response.Started = new Proto.JobStarted();
                break;
            case JobEventKind.Epoch:
                response.Epoch = new Proto.EpochCompleted
                {
                    Kind = KindOf(e.Model),
                    Epoch = e.Epoch ?? 0,
                    Epochs = e.Epochs ?? 0,
                    TrainLoss = e.TrainLoss ?? 0,
                    ValidationRmse = e.ValidationRmse ?? 0,
                    ValidationMae = e.ValidationMae ?? 0,
                    Seconds = e.Seconds ?? 0,
                };
                break;
            case JobEventKind.Exporting:
                response.Exporting = new Proto.JobExporting();
                break;
            case JobEventKind.Published:
                response.Published = new Proto.JobPublished
                {
                    Version = published?.ToContract() ?? new Proto.ModelVersion { Name = modelName, Version = e.Version ?? 0 },
                };
                break;
            case JobEventKind.Failed:
                response.Failed = new Proto.JobFailed { Reason = e.Reason ?? "" };
                break;
            case JobEventKind.Cancelled:
                response.Cancelled = new Proto.JobCancelled();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "Unknown job event kind.");
        }

        return response;
    }

    /// <summary>The manifest's model entries that are kinds, as the contract names them.</summary>
    private static readonly (string Entry, Proto.ModelKind Kind)[] Kinds =
    [
        (ModelEntry.MfKind, Proto.ModelKind.Mf),
        (ModelEntry.NeuralKind, Proto.ModelKind.Neural),
        (ModelEntry.ImplicitKind, Proto.ModelKind.Implicit),
    ];

    private static Proto.ModelKind KindOf(string? model) =>
        Kinds.FirstOrDefault(k => k.Entry == model, (Entry: "", Kind: Proto.ModelKind.Unspecified)).Kind;

    public static Proto.ModelVersion ToContract(this Manifest manifest)
    {
        var version = new Proto.ModelVersion
        {
            Name = manifest.ModelName,
            Version = manifest.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(manifest.CreatedAt),
            DatasetFingerprint = manifest.Dataset.Fingerprint,
        };
        foreach (var (entry, kind) in Kinds)
        {
            if (manifest.FindModel(entry) is not null)
            {
                version.Kinds.Add(kind);
            }
        }

        if (manifest.FindModel(ModelEntry.BlendKind) is not null)
        {
            version.Kinds.Add(Proto.ModelKind.Blend);
        }

        version.Metrics.AddRange(manifest.Metrics.Select(m => new Proto.MetricValue { Name = m.Key, Value = m.Value }));
        version.HyperParameters.Add(manifest.HyperParameters.ToDictionary());
        version.Files.AddRange(manifest.Files.Select(f => new Proto.ModelFile { Path = f.Name, SizeBytes = f.Size, Sha256 = f.Sha256 }));
        return version;
    }

    private static DatasetReference ToDomain(this Proto.DatasetSource? source) => source?.SourceCase switch
    {
        Proto.DatasetSource.SourceOneofCase.Folder => new DatasetReference(source.Folder, null, null),
        Proto.DatasetSource.SourceOneofCase.Movielens => new DatasetReference(null, source.Movielens, null),
        Proto.DatasetSource.SourceOneofCase.Synthetic => new DatasetReference(null, null,
            new SyntheticSpec(source.Synthetic.Users, source.Synthetic.Items, source.Synthetic.Ratings, source.Synthetic.Seed)),
        _ => new DatasetReference(null, null, null),
    };

    private static Proto.DatasetSource ToContract(this DatasetReference reference)
    {
        var source = new Proto.DatasetSource();
        if (reference.Folder is { } folder)
        {
            source.Folder = folder;
        }
        else if (reference.MovieLens is { } name)
        {
            source.Movielens = name;
        }
        else if (reference.Synthetic is { } s)
        {
            source.Synthetic = new Proto.SyntheticDataset { Users = s.Users, Items = s.Items, Ratings = s.Ratings, Seed = s.Seed };
        }

        return source;
    }

    private static MfVariant? ToDomain(this Proto.MfVariant variant) => variant switch
    {
        Proto.MfVariant.Seed => MfVariant.Seed,
        Proto.MfVariant.Biased => MfVariant.Biased,
        Proto.MfVariant.Bayesian => MfVariant.Bayesian,
        _ => null,
    };

    private static NeuralArchitecture? ToDomain(this Proto.NeuralArchitecture architecture) => architecture switch
    {
        Proto.NeuralArchitecture.Seed => NeuralArchitecture.Seed,
        Proto.NeuralArchitecture.Neumf => NeuralArchitecture.NeuMf,
        _ => null,
    };

    private static EmbeddingUpdates? ToDomain(this Proto.EmbeddingUpdates updates) => updates switch
    {
        Proto.EmbeddingUpdates.Dense => EmbeddingUpdates.Dense,
        Proto.EmbeddingUpdates.Lazy => EmbeddingUpdates.Lazy,
        _ => null,
    };

    private static Proto.JobState ToContract(this JobState state) => state switch
    {
        JobState.Queued => Proto.JobState.Queued,
        JobState.Running => Proto.JobState.Running,
        JobState.Succeeded => Proto.JobState.Succeeded,
        JobState.Failed => Proto.JobState.Failed,
        JobState.Cancelled => Proto.JobState.Cancelled,
        _ => Proto.JobState.Unspecified,
    };
}
