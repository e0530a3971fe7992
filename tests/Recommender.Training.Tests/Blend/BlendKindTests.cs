using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Blend;
using Recommender.Training.Mf;
using Recommender.Training.Neural;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests.Blend;

/// <summary>The blend trained as a kind after MF and the neural model, on a synthetic dataset.</summary>
public sealed class BlendKindTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-blend-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TrainingOutcome Train(BlendTrainingOptions blend, double? validation = null, IReadOnlyList<ITrainingKind>? kinds = null)
    {
        var data = Path.Combine(_root, "data");
        if (!Directory.Exists(data))
        {
            new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 120, Items = 150, Ratings = 9000, Seed = 3 }).Generate(data);
        }

        return TrainingPipeline.Run(
            new TrainingRequest("blend", data, SplitSpec.Parse("random:0.2"), 2,
                MfTrainingOptions.BayesianDefaults with { Epochs = 20, BurnIn = 5, Factors = 4 },
                NeuralTrainingOptions.NeuMfDefaults with { Epochs = 2, EmbeddingDim = 6, GmfDim = 4, HiddenSizes = [8] })
            {
                Blend = blend,
                ValidationFraction = validation,
            },
            new ModelRepository(Path.Combine(_root, "models"), TimeProvider.System),
            kinds: kinds);
    }

    [Fact]
    public void The_blend_is_fitted_on_validation_and_is_no_worse_there_than_its_best_member()
    {
        var outcome = Train(new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 16, Epochs = 5, BatchSize = 32 } });

        var blend = outcome.Model<BlendTrainedModel>()!;
        Assert.Equal(["mf", "neural", "autorec", "baseline"], blend.Members.Select(m => m.Kind));
        Assert.True(blend.Fit.ValidationRmse <= blend.Fit.MemberValidationRmse.Min() + 1e-9,
            $"blend {blend.Fit.ValidationRmse} vs members {string.Join(", ", blend.Fit.MemberValidationRmse)}");
        var manifest = outcome.Manifest;
        Assert.Equal("blend.onnx", manifest.FindModel(ModelEntry.BlendKind)!.File);
        Assert.Equal("mf,neural,autorec,baseline", manifest.HyperParameters["blend.members"]);
        Assert.Equal("validation", manifest.HyperParameters["blend.weights_fitted_on"]);
        Assert.True(manifest.Metrics.ContainsKey("blend.rmse"));
        Assert.Equal(blend.Fit.Weights.Weights[0], manifest.Metrics["blend.weight.mf"]);
    }

    [Fact]
    public void A_catalog_too_large_for_the_autoencoders_dense_matrices_blends_without_it_and_says_why()
    {
        var outcome = Train(new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 16, Epochs = 5, BatchSize = 32, MaxDenseBytes = 1000 } });

        var blend = outcome.Model<BlendTrainedModel>()!;
        Assert.Equal(["mf", "neural", "baseline"], blend.Members.Select(m => m.Kind));
        Assert.Null(blend.AutoRec);
        var why = outcome.Manifest.HyperParameters["blend.autorec.left_out"];
        Assert.Contains("MaxDenseBytes 1000", why, StringComparison.Ordinal);
        Assert.Equal("mf,neural,baseline", outcome.Manifest.HyperParameters["blend.members"]);
        Assert.True(outcome.Manifest.Metrics.ContainsKey("blend.rmse"));
    }

    [Fact]
    public void AutoRec_dense_matrices_are_counted_as_four_float_copies()
    {
        var options = new AutoRecOptions { MaxDenseBytes = 943L * 1682 * 16 };
        Assert.Null(options.TooLargeFor(943, 1682));
        Assert.NotNull(options.TooLargeFor(944, 1682));
        Assert.Equal(162_000.0 * 62_000 * 16, AutoRecOptions.DenseBytes(162_000, 62_000));
        Assert.Throws<ArgumentException>(() => (options with { MaxDenseBytes = -1 }).Validate());
    }

    [Fact]
    public void A_run_without_a_validation_part_cannot_fit_a_blend()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Train(new BlendTrainingOptions { AutoRec = null }, validation: 0));
        Assert.Contains("validation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoRec_trained_early_beside_the_other_kinds_equals_AutoRec_trained_after_them_and_disturbs_neither()
    {
        var options = new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 16, Epochs = 8, BatchSize = 32 } };
        var early = Train(options);
        var sequential = Train(options, kinds: [new MfTrainingKind(), new NeuralTrainingKind(), new SequentialBlend()]);

        var a = early.Model<BlendTrainedModel>()!.AutoRec!.Model;
        var b = sequential.Model<BlendTrainedModel>()!.AutoRec!.Model;
        Assert.Equal(b.UserFactors, a.UserFactors);
        Assert.Equal(b.ItemFactors, a.ItemFactors);
        // The neural kind's dropout draws from libtorch's process-wide generator while AutoRec
        // trains: it must draw exactly what it draws alone.
        var neuralEarly = early.Model<NeuralTrainedModel>()!.Result.Weights;
        var neuralAlone = sequential.Model<NeuralTrainedModel>()!.Result.Weights;
        Assert.Equal(neuralAlone.UserEmbedding, neuralEarly.UserEmbedding);
        Assert.Equal(neuralAlone.Layers[0].Weight, neuralEarly.Layers[0].Weight);
        Assert.Equal(sequential.Manifest.Metrics["blend.rmse"], early.Manifest.Metrics["blend.rmse"]);
    }

    [Fact]
    public void A_kind_failing_before_the_blend_stops_the_AutoRec_it_started_early_and_waits_for_it()
    {
        var blend = new RecordingBlend();
        // Far more epochs than the test could wait for, and no early stopping: only cancellation ends it.
        var options = new BlendTrainingOptions { AutoRec = new AutoRecOptions { Hidden = 16, Epochs = 1_000_000, BatchSize = 32, EarlyStoppingPatience = 0 } };

        var error = Assert.Throws<InvalidOperationException>(() => Train(options, kinds: [new FailingKind(), blend]));

        Assert.Equal("planted failure", error.Message);
        Assert.NotNull(blend.Started);
        Assert.True(blend.Started.IsCompleted, "Run returned while AutoRec still trained.");
        Assert.True(blend.Started.IsCanceled, $"AutoRec ended {blend.Started.Status}, not cancelled.");
    }

    /// <summary>The blend with no early work: AutoRec trains inside Train, after the other kinds.</summary>
    private sealed class SequentialBlend : ITrainingKind
    {
        private readonly BlendTrainingKind _blend = new();

        public string Name => _blend.Name;

        public bool IsRequested(TrainingRequest request) => _blend.IsRequested(request);

        public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken) =>
            _blend.Train(context, progress, cancellationToken);
    }

    /// <summary>The blend, keeping the task its early start returned.</summary>
    private sealed class RecordingBlend : ITrainingKind
    {
        private readonly BlendTrainingKind _blend = new();

        public Task<object>? Started { get; private set; }

        public string Name => _blend.Name;

        public bool IsRequested(TrainingRequest request) => _blend.IsRequested(request);

        public Task<object>? StartEarly(TrainingContext context, CancellationToken cancellationToken) =>
            Started = _blend.StartEarly(context, cancellationToken);

        public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken) =>
            _blend.Train(context, progress, cancellationToken);
    }

    private sealed class FailingKind : ITrainingKind
    {
        public string Name => "failing";

        public bool IsRequested(TrainingRequest request) => true;

        public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("planted failure");
    }
}
