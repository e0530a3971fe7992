using System.Globalization;
using Recommender.Data;
using Recommender.Training.Mf;

namespace Recommender.Benchmarks;

/// <summary>
/// "mf-train": biased MF training throughput on a planted random data set generated in process.
/// Trains with <see cref="MfTrainingOptions.BiasedDefaults"/> except k, epochs and threads.
/// Args: [ratings=80000] [users=943] [items=1682] [k=100] [epochs=50] [threads=2] [runs=7].
/// One untimed warm-up run (JIT) precedes the timed runs; prints each run and the median.
/// </summary>
internal static class MfTrainingBenchmark
{
    public static int Run(string[] args)
    {
        var ratings = Arg(args, 0, 80_000);
        var users = Arg(args, 1, 943);
        var items = Arg(args, 2, 1682);
        var factors = Arg(args, 3, 100);
        var epochs = Arg(args, 4, 50);
        var threads = Arg(args, 5, 2);
        var runs = Arg(args, 6, 7);

        var data = Generate(ratings, users, items, seed: 1);
        var options = MfTrainingOptions.BiasedDefaults with
        {
            Factors = factors,
            Epochs = epochs,
            Threads = threads,
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mf-train: {ratings:N0} ratings, {users:N0} users x {items:N0} items, k={factors}, {epochs} epochs, {threads} threads, {runs} runs; {Environment.ProcessorCount} cores"));
        MfTrainer.Train(data, null, options with { Epochs = Math.Min(epochs, 3) });

        var total = new List<double>();
        var sgd = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var result = MfTrainer.Train(data, null, options);
            var seconds = result.Elapsed.TotalSeconds;
            var sgdSeconds = result.Epochs.Sum(e => data.Count / e.UpdatesPerSecond);
            total.Add(seconds);
            sgd.Add(sgdSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run + 1}: {seconds:F3} s total ({result.Updates / seconds / 1e6:F1} M updates/s), SGD alone {sgdSeconds:F3} s ({result.Updates / sgdSeconds / 1e6:F1} M updates/s), train MSE {result.Epochs[^1].TrainMse:F4}"));
        }

        var updates = (double)ratings * epochs;
        var median = Median(total);
        var medianSgd = Median(sgd);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median of {runs}: {median:F3} s total = {updates / median / 1e6:F1} M updates/s; SGD alone {medianSgd:F3} s = {updates / medianSgd / 1e6:F1} M updates/s"));
        return 0;
    }

    /// <summary>
    /// Ratings from a rank-10 planted model with biases and noise; items drawn with a skewed
    /// (squared-uniform) popularity so that blocks are uneven, as in real data.
    /// </summary>
    private static IndexedRatings Generate(int count, int userCount, int itemCount, int seed)
    {
        const int rank = 10;
        var random = new Random(seed);
        var p = Normal(random, userCount * rank, 0.2f);
        var q = Normal(random, itemCount * rank, 0.2f);
        var userBias = Normal(random, userCount, 0.3f);
        var itemBias = Normal(random, itemCount, 0.4f);
        var noise = Normal(random, 4096, 0.8f);
        var u = new int[count];
        var i = new int[count];
        var r = new float[count];
        for (var n = 0; n < count; n++)
        {
            var user = random.Next(userCount);
            var x = random.NextDouble();
            var item = Math.Min(itemCount - 1, (int)(x * x * itemCount));
            var score = 3.5f + userBias[user] + itemBias[item] + noise[n & 4095];
            for (var f = 0; f < rank; f++)
            {
                score += p[(user * rank) + f] * q[(item * rank) + f];
            }

            u[n] = user;
            i[n] = item;
            r[n] = Math.Clamp(score, 1f, 5f);
        }

        return new IndexedRatings(u, i, r, userCount, itemCount);
    }

    private static float[] Normal(Random random, int count, float std)
    {
        var values = new float[count];
        for (var n = 0; n < count; n++)
        {
            values[n] = std * (float)(Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
        }

        return values;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
