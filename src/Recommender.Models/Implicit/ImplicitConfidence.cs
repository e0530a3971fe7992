namespace Recommender.Models.Implicit;

/// <summary>How much an observed interaction weighs in the implicit model's squared loss.</summary>
public enum ImplicitConfidence
{
    /// <summary>c = 1 + α·r: a 5-star rating counts for more than a 1-star one (Hu, Koren, Volinsky 2008).</summary>
    Linear = 0,

    /// <summary>c = 1 + α whatever the rating: only the fact that the user interacted matters.</summary>
    Constant = 1,
}
