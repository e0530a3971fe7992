namespace Recommender.Training.Mf;

/// <summary>
/// The seed notebook's SGD step, operation for operation: pred = clip(p·q); err = r − pred;
/// P[u] += lr(err·Q[m] − reg·P[u]); then Q[m] += lr(err·P[u] − reg·Q[m]) with the already updated
/// P[u]. Plain scalar float arithmetic in a fixed order (no SIMD reassociation, no FMA contraction),
/// so a straightforward reference loop reproduces it bit for bit. The seed model is small (k = 15),
/// so speed matters less here than being exactly the baseline.
/// </summary>
internal static class SeedSgd
{
    public static void Run(MfParameters parameters, ReadOnlySpan<int> users, ReadOnlySpan<int> items, ReadOnlySpan<float> values, float learningRate, float regularization, float minRating, float maxRating)
    {
        var k = parameters.Factors;
        var stride = parameters.Stride;
        var allUsers = parameters.UserFactors.AsSpan();
        var allItems = parameters.ItemFactors.AsSpan();
        for (var n = 0; n < users.Length; n++)
        {
            var p = allUsers.Slice(users[n] * stride, k);
            var q = allItems.Slice(items[n] * stride, k);

            var dot = 0f;
            for (var f = 0; f < p.Length; f++)
            {
                dot += p[f] * q[f];
            }

            var error = values[n] - Math.Clamp(dot, minRating, maxRating);

            for (var f = 0; f < p.Length; f++)
            {
                p[f] += learningRate * ((error * q[f]) - (regularization * p[f]));
            }

            for (var f = 0; f < q.Length; f++)
            {
                q[f] += learningRate * ((error * p[f]) - (regularization * q[f]));
            }
        }
    }
}
