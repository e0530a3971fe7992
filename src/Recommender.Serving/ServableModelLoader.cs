using Microsoft.Extensions.Options;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// Loads a model version completely before it may serve: checksums and shapes (by the
/// repository), ONNX session creation on the configured provider, an input/output signature
/// check, and a smoke inference whose scores must be finite. Any failure refuses the version.
/// </summary>
public sealed class ServableModelLoader(
    OnnxSessionFactory sessions,
    IOptions<InferenceOptions> options,
    ServingMetrics metrics,
    TimeProvider timeProvider)
{
    public ModelRepository Repository { get; } = new(options.Value.RepositoryPath, timeProvider);

    /// <exception cref="ArtifactFormatException">A file is missing, corrupt or inconsistent.</exception>
    /// <exception cref="InvalidDataException">The model fails its signature or smoke check.</exception>
    public ServableModel Load(string name, long version)
    {
        var bundle = Repository.OpenVersion(name, version);
        var catalog = bundle.Catalog ?? throw Incomplete(bundle, ArtifactFileNames.Catalog);
        var seen = bundle.SeenItems ?? throw Incomplete(bundle, ArtifactFileNames.SeenItems);
        var mf = bundle.Mf is null ? null : new MfSimdScorer(bundle.Mf);
        if (mf is null && bundle.ModelPath(ModelEntry.NeuralKind) is null)
        {
            throw new InvalidDataException($"Version {version} of '{name}' holds neither an MF nor a neural model.");
        }

        OnnxSession? session = null;
        MfOnnxTopK? mfTopK = null;
        NeuralRankScorer? neuralRank = null;
        NeuralOnnxScorer? scorer = null;
        PredictionBatcher? batcher = null;
        try
        {
            var provider = OnnxSessionFactory.CpuProvider;
            if (bundle.ModelPath(ModelEntry.NeuralKind) is { } onnxPath)
            {
                session = sessions.Open(onnxPath);
                provider = session.ExecutionProvider;
                CheckSignature(session, onnxPath);
                scorer = new NeuralOnnxScorer(session);
                SmokeTest(scorer, bundle, onnxPath);
                batcher = new PredictionBatcher(scorer, options.Value.Batching, metrics);
                if (bundle.ModelPath(ModelEntry.NeuralRankOnnxKind) is { } rankPath)
                {
                    neuralRank = new NeuralRankScorer(sessions.Open(rankPath), bundle.Items.Count);
                    CheckRankAgrees(neuralRank, scorer, bundle, rankPath);
                }
            }

            if (mf is not null)
            {
                SmokeTest(mf, bundle, bundle.PathOf(ArtifactFileNames.MfFactors));
                mfTopK = MfTopKIfFaster(mf, bundle);
            }

            return new ServableModel(bundle, catalog, seen, mf, mfTopK, session, scorer, neuralRank, batcher, provider);
        }
        catch
        {
            batcher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            mfTopK?.Dispose();
            neuralRank?.Dispose();
            scorer?.Dispose();
            session?.Dispose();
            throw;
        }
    }

    /// <summary>The MF top-k graph when the version has one and it beats managed SIMD here; else null.</summary>
    private MfOnnxTopK? MfTopKIfFaster(MfSimdScorer mf, ModelVersionBundle bundle)
    {
        var preference = options.Value.MfScorer;
        if (preference == MfScorerPreference.Simd || bundle.ModelPath(ModelEntry.MfTopKOnnxKind) is not { } path)
        {
            return null;
        }

        var topK = new MfOnnxTopK(sessions.Open(path), bundle.Items.Count);
        try
        {
            if (preference == MfScorerPreference.Onnx || MfScorerChoice.Measure(mf, topK) == MfScorerChoice.Onnx)
            {
                return topK;
            }
        }
        catch
        {
            topK.Dispose();
            throw;
        }

        topK.Dispose();
        return null;
    }

    /// <summary>
    /// The ranking graph is derived from the same weights as the pair graph; a version whose two
    /// graphs disagree (a bad export) is refused rather than ranking with one and predicting with the other.
    /// </summary>
    private static void CheckRankAgrees(NeuralRankScorer rank, NeuralOnnxScorer pairs, ModelVersionBundle bundle, string path)
    {
        var itemCount = bundle.Items.Count;
        var ranked = new float[itemCount];
        var paired = new float[itemCount];
        var users = new long[itemCount];
        var items = Enumerable.Range(0, itemCount).Select(i => (long)i).ToArray();
        rank.ScoreAllItems(0, ranked);
        pairs.Score(users, items, paired);
        for (var i = 0; i < itemCount; i++)
        {
            if (!(Math.Abs(ranked[i] - paired[i]) <= 1e-3f))
            {
                throw new InvalidDataException($"{path}: item {i} ranks with {ranked[i]} but the pair graph predicts {paired[i]}.");
            }
        }
    }

    private static void CheckSignature(OnnxSession session, string path)
    {
        var inputs = session.Session.InputMetadata;
        var outputs = session.Session.OutputMetadata;
        foreach (var name in new[] { "user_ids", "item_ids" })
        {
            if (!inputs.TryGetValue(name, out var meta) || meta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64)
            {
                throw new InvalidDataException($"{path}: the graph needs an int64 input '{name}'.");
            }
        }

        if (!outputs.TryGetValue("rating", out var rating) || rating.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
        {
            throw new InvalidDataException($"{path}: the graph needs a float output 'rating'.");
        }
    }

    // Scores the first and last user against the first and last item: catches graphs whose
    // embedding tables are smaller than the id maps, and weights that are NaN.
    private static void SmokeTest(IPairScorer scorer, ModelVersionBundle bundle, string path)
    {
        long lastUser = bundle.Users.Count - 1;
        long lastItem = bundle.Items.Count - 1;
        long[] users = [0, lastUser, 0, lastUser];
        long[] items = [0, 0, lastItem, lastItem];
        var scores = new float[4];
        scorer.Score(users, items, scores);
        if (!scores.All(float.IsFinite))
        {
            throw new InvalidDataException($"{path}: the smoke inference produced non-finite scores ({string.Join(", ", scores)}).");
        }
    }

    private static ArtifactFormatException Incomplete(ModelVersionBundle bundle, string file) =>
        new(bundle.DirectoryPath, $"the version lists no {file}, which the inference service needs");
}
