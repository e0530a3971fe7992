namespace Recommender.Models.Onnx;

/// <summary>
/// Graph input and output names: the contract between the exporters and whoever runs the models
/// (serving binds these names to buffers), kept in one place so both sides spell them alike.
/// </summary>
public static class OnnxNames
{
    /// <summary>
    /// int64 [N] (pair graphs) or [B] (top-k graph): dense user indices. Callers must range-check
    /// ids: Gather fails the run on an index past the table, but reads a negative one from the end
    /// (-1 = the last user) without complaint.
    /// </summary>
    public const string UserIds = "user_ids";

    /// <summary>int64 [N]: dense item indices, paired element-wise with <see cref="UserIds"/>.</summary>
    public const string ItemIds = "item_ids";

    /// <summary>float [N]: the raw (unclipped) score of each pair.</summary>
    public const string Rating = "rating";

    /// <summary>int64 [1]: how many items the top-k graph returns per user.</summary>
    public const string K = "k";

    /// <summary>float [B, k]: the top-k raw scores per user, best first.</summary>
    public const string Scores = "scores";

    /// <summary>int64 [B, k]: dense item indices of <see cref="Scores"/>.</summary>
    public const string ItemIndices = "item_indices";
}
