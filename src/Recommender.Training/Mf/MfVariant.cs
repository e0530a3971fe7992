namespace Recommender.Training.Mf;

/// <summary>Which matrix factorization the trainer fits.</summary>
public enum MfVariant
{
    /// <summary>
    /// The seed notebook's model, reproduced exactly: no biases, clipped prediction in the update,
    /// ratings visited in array order, single-threaded.
    /// </summary>
    Seed = 0,

    /// <summary>
    /// Funk SVD as Surprise implements it: global mean + user and item biases + p_u · q_i,
    /// trained by parallel blocked SGD.
    /// </summary>
    Biased = 1,
}
