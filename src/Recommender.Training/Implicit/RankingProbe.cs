using Recommender.Data;
using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// Ranking quality on the validation part after each epoch, by the project's evaluation protocol
/// (<see cref="HeldOutEvaluator"/>): for a seeded sample of users with at least one relevant
/// validation item, rank every item the user did not rate in training and compute precision@10
/// and NDCG@10 with <see cref="RankingMetrics"/>. The sample bounds the cost on large catalogs.
/// </summary>
internal sealed class RankingProbe
{
    private const int K = 10;

    private readonly int[] users;
    private readonly HashSet<int>[] relevant;
    private readonly int[][] trainItems;
    private readonly int itemCount;
    private readonly int workers;
    private readonly float[][] scores;
    private readonly bool[][] masks;
    private readonly int[][] best;
    private readonly double[] precision;
    private readonly double[] ndcg;
    private int cursor;

    private RankingProbe(int[] users, HashSet<int>[] relevant, int[][] trainItems, int itemCount, int workers)
    {
        this.users = users;
        this.relevant = relevant;
        this.trainItems = trainItems;
        this.itemCount = itemCount;
        this.workers = workers;
        scores = new float[workers][];
        masks = new bool[workers][];
        best = new int[workers][];
        for (var w = 0; w < workers; w++)
        {
            scores[w] = new float[itemCount];
            masks[w] = new bool[itemCount];
            best[w] = new int[K];
        }

        precision = new double[users.Length];
        ndcg = new double[users.Length];
    }

    public int UserCount => users.Length;

    /// <summary>A probe over at most <paramref name="maxUsers"/> users; null when no user has a relevant validation item.</summary>
    public static RankingProbe? Create(IndexedRatings train, IndexedRatings validation, int maxUsers, float? relevanceThreshold, int seed, int workers)
    {
        var relevantByUser = new Dictionary<int, HashSet<int>>();
        for (var n = 0; n < validation.Count; n++)
        {
            if (relevanceThreshold is not { } threshold || validation.Values[n] >= threshold)
            {
                if (!relevantByUser.TryGetValue(validation.Users[n], out var set))
                {
                    relevantByUser[validation.Users[n]] = set = [];
                }

                set.Add(validation.Items[n]);
            }
        }

        if (relevantByUser.Count == 0)
        {
            return null;
        }

        var sample = relevantByUser.Keys.Order().ToArray();
        if (sample.Length > maxUsers)
        {
            new Random(seed).Shuffle(sample);
            sample = sample[..maxUsers];
            Array.Sort(sample);
        }

        var position = new Dictionary<int, int>(sample.Length);
        for (var s = 0; s < sample.Length; s++)
        {
            position[sample[s]] = s;
        }

        var seen = new List<int>[sample.Length];
        for (var s = 0; s < sample.Length; s++)
        {
            seen[s] = [];
        }

        for (var n = 0; n < train.Count; n++)
        {
            if (position.TryGetValue(train.Users[n], out var s))
            {
                seen[s].Add(train.Items[n]);
            }
        }

        return new RankingProbe(
            sample,
            [.. sample.Select(u => relevantByUser[u])],
            [.. seen.Select(list => list.ToArray())],
            train.ItemCount,
            Math.Max(1, Math.Min(workers, sample.Length)));
    }

    /// <summary>Mean precision@10 and NDCG@10 over the sampled users for the given factors.</summary>
    public (double Precision, double Ndcg) Evaluate(float[] userFactors, float[] itemFactors, int factors, CancellationToken cancellationToken)
    {
        cursor = 0;
        if (workers == 1)
        {
            Work(0, userFactors, itemFactors, factors, cancellationToken);
        }
        else
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                w => Work(w, userFactors, itemFactors, factors, cancellationToken));
        }

        cancellationToken.ThrowIfCancellationRequested();
        double p = 0;
        double n = 0;
        for (var s = 0; s < users.Length; s++)
        {
            p += precision[s];
            n += ndcg[s];
        }

        return (p / users.Length, n / users.Length);
    }

    private void Work(int worker, float[] userFactors, float[] itemFactors, int k, CancellationToken cancellationToken)
    {
        var score = scores[worker].AsSpan();
        var mask = masks[worker];
        var top = best[worker];
        int s;
        while ((s = Interlocked.Increment(ref cursor) - 1) < users.Length && !cancellationToken.IsCancellationRequested)
        {
            ImplicitScoring.ScoreCatalog(itemFactors, userFactors.AsSpan(users[s] * k, k), score[..itemCount]);
            foreach (var item in trainItems[s])
            {
                mask[item] = true;
            }

            var count = TopN.Select(score, K, top, mask);
            foreach (var item in trainItems[s])
            {
                mask[item] = false;
            }

            precision[s] = RankingMetrics.PrecisionAtK(top.AsSpan(0, count), relevant[s], K);
            ndcg[s] = RankingMetrics.NdcgAtK(top.AsSpan(0, count), relevant[s], K);
        }
    }
}
