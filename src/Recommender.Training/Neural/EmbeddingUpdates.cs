namespace Recommender.Training.Neural;

/// <summary>How the optimizer updates the user and item embedding tables.</summary>
public enum EmbeddingUpdates
{
    /// <summary>
    /// <see cref="Dense"/> for catalogs up to <see cref="NeuralTrainingOptions.LazyEmbeddingRowThreshold"/>
    /// user + item rows (ML-100K and ML-1M keep the notebook's exact training), <see cref="Lazy"/> above.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// torch's Adam over the whole tables at every step: rows no batch looks up still move with
    /// their momentum. The notebook's behaviour; its cost grows with the tables, not the batch.
    /// </summary>
    Dense = 1,

    /// <summary>
    /// Lazy ("sparse") Adam, as PyTorch's SparseAdam and TF's LazyAdam: only the rows a batch looks
    /// up get Adam's moment and parameter update (bias-corrected by the global step); the others
    /// and their moments stay as they are. The cost of a step follows the batch, not the tables.
    /// The dense layers get plain Adam, computed beside the tables by <see cref="LazyAdam"/>.
    /// </summary>
    Lazy = 2,
}
