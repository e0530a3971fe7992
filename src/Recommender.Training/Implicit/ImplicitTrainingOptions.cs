using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// Hyper-parameters and execution settings of <see cref="ImplicitTrainer"/>. A record, so callers
/// change a field with <c>with</c>; <see cref="Validate"/> runs at the start of every training
/// call. The defaults were tuned on ML-100K: validation = a seeded 10% of each user's ratings in
/// u1.base (three carves), relevance = validation rating ≥ 4, training items excluded. About 200
/// settings were tried; the chosen ones reach validation P@10 0.1196 / NDCG@10 0.2350 (mean of three
/// carves), where popularity gets 0.057 / 0.10 and EASE (λ = 300) 0.109 / 0.21 on the same carves.
/// The optimum is a ridge: α = α0 (c ≈ α·r, the 1 hardly matters) with λ_row ≈ 30·α0 for ν = 0,
/// or λ = 0.025 with ν = 1 (as good, and it scales with catalog size as Rendle et al. advise);
/// k = 128 ranks no better than 64; ratings ≥ 3 as interactions lift NDCG slightly over all ratings.
/// Retrained on all of u1.base and scored on u1.test (HeldOutEvaluator protocol, all 456 users
/// with a relevant test item): P@10 0.400, NDCG@10 0.478, recall@10 0.247, MAP@10 0.337, coverage
/// 17%; popularity on the same split 0.214 / 0.245. These settings are not scale-free: λ_row grows
/// with α0·N, so on catalogs far larger than ML-100K's 1,682 items lower α0 (or re-tune), or the
/// factors shrink towards zero.
/// </summary>
public sealed record ImplicitTrainingOptions
{
    /// <summary>The largest factor count accepted: each worker holds a k×k system.</summary>
    public const int MaxFactors = 1024;

    /// <summary>Number of latent factors k.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>Epochs; each solves every item row, then every user row. Validation P@10 and NDCG@10 level off after 6–12.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>λ, the base L2 penalty (scaled per row by <see cref="RegularizationExponent"/>).</summary>
    public float Regularization { get; init; } = 0.025f;

    /// <summary>α in the confidence 1 + α·r (or 1 + α).</summary>
    public float Alpha { get; init; } = 10f;

    /// <summary>α0: the weight of each unobserved (user, item) pair.</summary>
    public float UnobservedWeight { get; init; } = 10f;

    /// <summary>ν: λ_row = λ·(n_row + α0·N)^ν; 0 is plain L2.</summary>
    public float RegularizationExponent { get; init; } = 1f;

    public ImplicitConfidence Confidence { get; init; } = ImplicitConfidence.Linear;

    /// <summary>Only ratings at or above this are interactions; null makes every rating one.</summary>
    public float? RatingThreshold { get; init; } = 3f;

    /// <summary>Conjugate gradient by default: on ML-100K it ranks as well as the exact solve (validation P@10 0.1164 vs 0.1160) at a quarter of the time.</summary>
    public ImplicitSolver Solver { get; init; } = ImplicitSolver.ConjugateGradient;

    /// <summary>Conjugate-gradient steps per row and half-step (only with <see cref="ImplicitSolver.ConjugateGradient"/>).</summary>
    public int CgSteps { get; init; } = 3;

    /// <summary>Worker threads; 0 uses every core. The result does not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Seeds the initial factors and the validation user sample.</summary>
    public int Seed { get; init; }

    /// <summary>Standard deviation of the normal(0, std) initial factors; null means 0.1/√k.</summary>
    public float? InitStd { get; init; }

    /// <summary>At most this many validation users (a seeded sample) are ranked after each epoch; 0 turns ranking off.</summary>
    public int ValidationUsers { get; init; } = 1000;

    /// <summary>A validation item is relevant when rated at or above this; null makes every validation item relevant.</summary>
    public float? ValidationRelevanceThreshold { get; init; } = 4f;

    /// <summary>The initial factor standard deviation after applying the 0.1/√k rule.</summary>
    public float EffectiveInitStd => InitStd ?? 0.1f / MathF.Sqrt(Factors);

    /// <summary>The part of the options that defines the loss, kept in the model for fold-in.</summary>
    public ImplicitSolveParameters SolveParameters => new()
    {
        Regularization = Regularization,
        Alpha = Alpha,
        UnobservedWeight = UnobservedWeight,
        RegularizationExponent = RegularizationExponent,
        Confidence = Confidence,
        RatingThreshold = RatingThreshold,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Factors is <= 0 or > MaxFactors)
        {
            throw Invalid(nameof(Factors), $"must be between 1 and {MaxFactors} (got {Factors}).");
        }

        if (Epochs <= 0)
        {
            throw Invalid(nameof(Epochs), $"must be positive (got {Epochs}).");
        }

        SolveParameters.Validate();
        if (!Enum.IsDefined(Solver))
        {
            throw Invalid(nameof(Solver), $"is not a known solver ({(int)Solver}).");
        }

        if (CgSteps <= 0)
        {
            throw Invalid(nameof(CgSteps), $"must be positive (got {CgSteps}).");
        }

        if (Threads < 0)
        {
            throw Invalid(nameof(Threads), $"must be 0 (all cores) or positive (got {Threads}).");
        }

        if (InitStd is { } std && (!float.IsFinite(std) || std < 0f))
        {
            throw Invalid(nameof(InitStd), $"must be a non-negative finite number or null for 0.1/sqrt(k) (got {std}).");
        }

        if (ValidationUsers < 0)
        {
            throw Invalid(nameof(ValidationUsers), $"must be 0 (no ranking) or positive (got {ValidationUsers}).");
        }

        if (ValidationRelevanceThreshold is { } relevance && !float.IsFinite(relevance))
        {
            throw Invalid(nameof(ValidationRelevanceThreshold), $"must be a finite number or null (got {relevance}).");
        }
    }

    /// <summary>The number of worker threads these options ask for on this machine.</summary>
    internal int ResolveThreads() => Threads == 0 ? Environment.ProcessorCount : Threads;

    private static ArgumentException Invalid(string option, string problem) =>
        new($"Implicit option {option} {problem}", option);
}
