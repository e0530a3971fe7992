using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Pipeline;

namespace Recommender.Training.Tests;

/// <summary>Epochs are chosen on a part carved from the training split; the test split chooses nothing.</summary>
public sealed class ValidationPartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recommender-validation-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Data()
    {
        var data = Path.Combine(_root, "data");
        new SyntheticDatasetGenerator(new SyntheticDatasetOptions { Users = 80, Items = 120, Ratings = 4000, Seed = 5 }).Generate(data);
        return data;
    }

    private ModelRepository Repository() => new(Path.Combine(_root, "models"), TimeProvider.System);

    [Fact]
    public void Kinds_fit_the_training_split_minus_a_validation_part_that_holds_no_test_pair()
    {
        var probe = new ProbeKind();
        var request = new TrainingRequest("v", Data(), SplitSpec.Parse("random:0.2"), 4, MfTrainingOptions.BiasedDefaults with { Epochs = 2, Factors = 4 }, null);

        TrainingPipeline.Run(request, Repository(), kinds: [new MfTrainingKind(), probe]);

        var context = probe.Context!;
        var validation = context.Validation!;
        Assert.Equal((int)Math.Round(0.05 * context.Set.Train.Count), validation.Count);
        Assert.Equal(context.Set.Train.Count, context.Fit.Count + validation.Count);
        var test = Pairs(context.Set.TestKnown).ToHashSet();
        var train = Pairs(context.Set.Train).ToHashSet();
        Assert.All(Pairs(validation), pair => Assert.True(train.Contains(pair) && !test.Contains(pair), $"validation pair {pair}"));
        Assert.Equal(["mf"], probe.TrainedBefore);
    }

    [Fact]
    public void Early_stopping_runs_on_the_validation_part_and_the_manifest_says_so()
    {
        var request = new TrainingRequest("v", Data(), SplitSpec.Parse("random:0.2"), 4,
            MfTrainingOptions.BiasedDefaults with { Epochs = 40, Factors = 4, EarlyStoppingPatience = 2 }, null);

        var outcome = TrainingPipeline.Run(request, Repository());

        var manifest = outcome.Manifest;
        Assert.Equal("validation", manifest.HyperParameters["mf.best_epoch_chosen_on"]);
        Assert.Equal("0.05", manifest.HyperParameters["validation.fraction"]);
        Assert.Equal(manifest.Metrics["train.ratings"], manifest.Metrics["fit.ratings"] + manifest.Metrics["validation.ratings"]);
        var mf = outcome.Model<MfTrainedModel>()!.Result;
        var chosen = mf.Epochs[mf.BestEpoch - 1].ValidationRmse!.Value;
        Assert.Equal(mf.Epochs.Min(e => e.ValidationRmse!.Value), chosen);
        Assert.Equal(chosen, manifest.Metrics["mf.validation_rmse"]);
        Assert.NotEqual(chosen, manifest.Metrics["mf.rmse"]);
    }

    [Fact]
    public void Without_a_test_part_nothing_is_carved_unless_asked()
    {
        var probe = new ProbeKind();
        var data = Data();
        TrainingPipeline.Run(new TrainingRequest("v", data, SplitSpec.Parse("none"), 4, null, null), Repository(), kinds: [probe]);
        Assert.Null(probe.Context!.Validation);
        Assert.Same(probe.Context.Set.Train, probe.Context.Fit);

        TrainingPipeline.Run(new TrainingRequest("v", data, SplitSpec.Parse("none"), 4, null, null) { ValidationFraction = 0.1 }, Repository(), kinds: [probe]);
        Assert.Equal(400, probe.Context!.Validation!.Count);

        TrainingPipeline.Run(new TrainingRequest("v", data, SplitSpec.Parse("random:0.2"), 4, null, null) { ValidationFraction = 0 }, Repository(), kinds: [probe]);
        Assert.Null(probe.Context!.Validation);
        Assert.Equal("none", probe.Context.EpochChosenOn);
    }

    private static IEnumerable<(int, int)> Pairs(IndexedRatings r) => Enumerable.Range(0, r.Count).Select(n => (r.Users[n], r.Items[n]));

    /// <summary>Records the context it is trained with; publishes nothing of its own.</summary>
    private sealed class ProbeKind : ITrainingKind
    {
        public TrainingContext? Context { get; private set; }

        public string[] TrainedBefore { get; private set; } = [];

        public string Name => "probe";

        public bool IsRequested(TrainingRequest request) => true;

        public TrainedModel Train(TrainingContext context, IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
        {
            Context = context;
            TrainedBefore = [.. context.Trained.Select(m => m.Kind)];
            return new ProbeModel();
        }
    }

    private sealed class ProbeModel() : TrainedModel("probe", null)
    {
        public override TimeSpan Elapsed => TimeSpan.Zero;

        public override void WriteTo(VersionDraft draft, IReadOnlyDictionary<string, string> onnxMetadata)
        {
        }

        public override System.Text.Json.Nodes.JsonArray EpochsJson() => [];
    }
}
