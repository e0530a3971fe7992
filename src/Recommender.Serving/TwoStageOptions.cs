namespace Recommender.Serving;

/// <summary>
/// Neural Recommend in two stages (<see cref="TwoStageRanker"/>): the version's implicit model (or,
/// without one, its MF model) retrieves the best <see cref="Candidates"/> items, and only those are
/// scored by the neural graph. Used when the catalog has at least <see cref="FromItems"/> items and
/// the version holds a retrieval model; smaller catalogs are scored whole.
/// </summary>
public sealed class TwoStageOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Items retrieved by the first stage and scored by the neural model.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int Candidates { get; set; } = 500;

    /// <summary>Catalog size from which neural Recommend goes through two stages.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, int.MaxValue)]
    public int FromItems { get; set; } = 10_000;
}
