namespace Recommender.Training.Implicit;

/// <summary>How each user or item row of implicit ALS is solved.</summary>
public enum ImplicitSolver
{
    /// <summary>Builds the k×k system and factors it: the exact row optimum, O(n·k² + k³) per row.</summary>
    Cholesky = 0,

    /// <summary>A few conjugate-gradient steps from the row's previous value: O(steps·(k² + n·k)) per row.</summary>
    ConjugateGradient = 1,
}
