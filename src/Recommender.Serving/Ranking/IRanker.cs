namespace Recommender.Serving;

/// <summary>
/// Ranks the catalog for one user (a dense index): what a kind serves Recommend with. The engine
/// builds the exclusion mask (candidates, exclusions, seen items) and describes the result; the
/// ranker only scores and selects. Thread-safe.
/// </summary>
public interface IRanker
{
    /// <summary>How it ranks, as GetModelInfo reports it (e.g. "simd", "onnx").</summary>
    string Method { get; }

    /// <summary>
    /// Writes the best items for <paramref name="user"/>, best first, never one whose
    /// <paramref name="excluded"/> flag is set, with their raw scores; returns how many were written
    /// (at most <paramref name="items"/>.Length; fewer when fewer items are allowed).
    /// </summary>
    /// <param name="excludedCount">How many flags in <paramref name="excluded"/> are set (lets a top-k graph ask for enough).</param>
    int Rank(int user, ReadOnlySpan<bool> excluded, int excludedCount, Span<int> items, Span<float> scores);
}

/// <summary>
/// A ranker that can also retrieve candidates more cheaply than it ranks (e.g. without an exact
/// re-score): what <see cref="TwoStageRanker"/> uses as its first stage.
/// </summary>
public interface ICandidateRetrieval
{
    /// <summary>Ranks like the ranker itself, possibly approximately (scores and order near the exact ones).</summary>
    IRanker ForRetrieval { get; }
}
