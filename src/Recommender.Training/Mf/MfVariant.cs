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

    /// <summary>
    /// Bayesian MF by Gibbs sampling (BPMF) with biases: the priors' scales are inferred, so there
    /// is no learning rate or regularization to tune; the model is the average of the samples
    /// after burn-in, stored as one factorization of samples x factors columns.
    /// </summary>
    Bayesian = 2,
}
