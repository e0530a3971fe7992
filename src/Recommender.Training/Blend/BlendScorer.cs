using Recommender.Training.Pipeline;

namespace Recommender.Training.Blend;

/// <summary>Scores pairs as the blend graph does: intercept + Σ w_m · clip(member_m), unclipped.</summary>
internal sealed class BlendScorer(IReadOnlyList<IBlendableModel> members, BlendWeights weights, float min, float max)
{
    public void Score(ReadOnlySpan<int> users, ReadOnlySpan<int> items, Span<float> scores)
    {
        var member = new float[users.Length];
        var sum = new double[users.Length];
        Array.Fill(sum, 0);
        for (var m = 0; m < members.Count; m++)
        {
            members[m].Score(users, items, member);
            for (var n = 0; n < member.Length; n++)
            {
                sum[n] += weights.Weights[m] * Math.Clamp(member[n], min, max);
            }
        }

        for (var n = 0; n < scores.Length; n++)
        {
            scores[n] = (float)(sum[n] + weights.Intercept);
        }
    }
}
