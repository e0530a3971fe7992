using System.Buffers;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recommender.Models.Onnx;
using Recommender.Models.Repository;

namespace Recommender.Serving;

/// <summary>
/// The neural kind: pairs through the ONNX pair graph behind the dynamic batcher; Recommend with
/// the ranking graph (one user against the catalog in one run) when the version has one, else the
/// pair graph run over the whole catalog.
/// </summary>
public sealed class NeuralServingKind : IServingKind
{
    public ServedKind Kind => ServedKind.Neural;

    public int RankingPreference => 0;

    public bool IsIn(ModelVersionBundle bundle) => bundle.ModelPath(ModelEntry.NeuralKind) is not null;

    public ServedKindModel Load(ModelVersionBundle bundle, ServingKindContext context)
    {
        var path = bundle.ModelPath(ModelEntry.NeuralKind) ?? throw new InvalidDataException($"Version {bundle.Version} of '{bundle.ModelName}' has no neural model.");
        var resources = new List<object>();
        try
        {
            var session = context.Sessions.Open(path);
            resources.Add(session);
            CheckSignature(session, path);
            var scorer = new NeuralOnnxScorer(session);
            resources.Add(scorer);
            PairSmokeTest.Run(scorer, bundle, path);
            var batcher = new PredictionBatcher(scorer, context.Options.Batching, context.Metrics);
            resources.Add(batcher);
            var itemCount = bundle.Items.Count;
            WholeCatalogRanker ranker;
            if (bundle.ModelPath(ModelEntry.NeuralRankOnnxKind) is { } rankPath)
            {
                var rank = new NeuralRankScorer(context.Sessions.Open(rankPath), itemCount);
                resources.Add(rank);
                CheckRankAgrees(rank, scorer, itemCount, rankPath);
                ranker = new WholeCatalogRanker("graph", itemCount, rank.ScoreAllItems);
            }
            else
            {
                // Every item in one ONNX Runtime run, straight to the scorer: a whole-catalog run is
                // already a large batch, and routing it through the batcher only adds copies and waits.
                var allItems = Enumerable.Range(0, itemCount).Select(i => (long)i).ToArray();
                ranker = new WholeCatalogRanker("pairs", itemCount, (user, scores) => ScoreCatalog(scorer, allItems, user, scores));
            }

            var pairs = new BatchedPairScorer(scorer, batcher);
            return new ServedKindModel(Kind, pairs, ranker, scoresAreRatings: true,
                session.ExecutionProvider, resources)
            {
                ColdRatings = HasColdRows(bundle) ? CheckColdRows(scorer, bundle, path, pairs) : null,
                // A few hundred candidates are already a batch: straight to the pair graph, like the catalog pass.
                CandidateScorer = (user, items, scores) => ScoreCandidates(scorer, user, items, scores),
            };
        }
        catch
        {
            new ServedKindModel(Kind, null, null, true, null, resources).DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>True when the neural entry says its tables have the rows of the version's cold ids.</summary>
    private static bool HasColdRows(ModelVersionBundle bundle) =>
        bundle.ColdIds is not null && bundle.Manifest.FindModel(ModelEntry.NeuralKind)?.Property(ModelEntry.ColdRowsProperty) == "true";

    /// <summary>
    /// Scores the last cold user and item (a table without their rows fails here, not on a
    /// request); returns <paramref name="answer"/>, the served scorer, which then also answers cold pairs.
    /// </summary>
    private static IPairScorer CheckColdRows(NeuralOnnxScorer scorer, ModelVersionBundle bundle, string path, IPairScorer answer)
    {
        var cold = bundle.ColdIds!;
        long lastUser = bundle.Users.Count + cold.Users.Count - 1;
        long lastItem = bundle.Items.Count + cold.Items.Count - 1;
        var scores = new float[2];
        try
        {
            scorer.Score([lastUser, 0], [0, lastItem], scores);
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the graph does not cover the version's {cold.Users.Count} cold users and {cold.Items.Count} cold items ({e.Message}).", e);
        }

        if (!scores.All(float.IsFinite))
        {
            throw new InvalidDataException($"{path}: the cold rows score non-finite values ({string.Join(", ", scores)}).");
        }

        return answer;
    }

    internal static void ScoreCandidates(NeuralOnnxScorer scorer, int user, ReadOnlySpan<long> items, Span<float> scores)
    {
        var users = ArrayPool<long>.Shared.Rent(items.Length);
        try
        {
            users.AsSpan(0, items.Length).Fill(user);
            scorer.Score(users.AsSpan(0, items.Length), items, scores);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(users);
        }
    }

    internal static void ScoreCatalog(NeuralOnnxScorer scorer, long[] allItems, int user, Span<float> scores)
    {
        var users = ArrayPool<long>.Shared.Rent(allItems.Length);
        try
        {
            users.AsSpan(0, allItems.Length).Fill(user);
            scorer.Score(users.AsSpan(0, allItems.Length), allItems, scores);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(users);
        }
    }

    /// <summary>
    /// The ranking graph is derived from the same weights as the pair graph; a version whose two
    /// graphs disagree (a bad export) is refused rather than ranking with one and predicting with the other.
    /// </summary>
    private static void CheckRankAgrees(NeuralRankScorer rank, NeuralOnnxScorer pairs, int itemCount, string path)
    {
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

    /// <summary>Checks a pair graph's signature: int64 user_ids and item_ids in, float rating out (every pair graph kind shares it).</summary>
    internal static void CheckSignature(OnnxSession session, string path)
    {
        var inputs = session.Session.InputMetadata;
        var outputs = session.Session.OutputMetadata;
        foreach (var name in new[] { OnnxNames.UserIds, OnnxNames.ItemIds })
        {
            if (!inputs.TryGetValue(name, out var meta) || meta.ElementDataType != TensorElementType.Int64)
            {
                throw new InvalidDataException($"{path}: the graph needs an int64 input '{name}'.");
            }
        }

        if (!outputs.TryGetValue(OnnxNames.Rating, out var rating) || rating.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidDataException($"{path}: the graph needs a float output '{OnnxNames.Rating}'.");
        }
    }
}
