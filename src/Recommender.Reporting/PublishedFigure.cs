namespace Recommender.Reporting;

/// <summary>
/// An accuracy figure published for the real MovieLens 100K dataset. Our runs in this report use
/// synthetic data, so these are context, not a one-to-one comparison.
/// </summary>
public sealed record PublishedFigure(string Source, string Model, string Measure, string Value, string Protocol)
{
    /// <summary>The seed notebook's printed results, Surprise's benchmark, LIBMF and published u1 results.</summary>
    public static IReadOnlyList<PublishedFigure> MovieLens100K { get; } =
    [
        new("seed notebook", "MF (SGD)", "train MSE at epoch 20", "0.7613", "notebook's own split"),
        new("seed notebook", "Keras neural (embeddings + MLP)", "validation MSE", "0.8672 (RMSE ≈ 0.931)", "notebook's own split"),
        new("Surprise", "SVD", "RMSE", "0.934", "ML-100K, 5-fold cross-validation"),
        new("Surprise", "SVD", "RMSE", "0.950", "ML-100K (second figure quoted for Surprise SVD)"),
        new("LIBMF", "MF", "RMSE", "0.919–0.921", "ML-100K u1 split (u1.base / u1.test)"),
        new("GC-MC (Berg et al. 2017)", "graph auto-encoder", "RMSE", "0.910", "ML-100K u1 split"),
        new("IGMC (Zhang and Chen 2020)", "inductive graph MC", "RMSE", "0.905", "ML-100K u1 split"),
        new("GLocal-K (Han et al. 2021)", "kernelized AutoRec", "RMSE", "0.889", "ML-100K u1 split"),
    ];
}
