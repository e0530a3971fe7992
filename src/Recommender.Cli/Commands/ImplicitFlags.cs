using System.CommandLine;
using Recommender.Training.Implicit;

namespace Recommender.Cli.Commands;

/// <summary>
/// Implicit-feedback (weighted ALS) flags; unset flags take the tuned defaults. In `train implicit`
/// they are --factors/--epochs/--reg/--threads; in `train all` those belong to MF, so the
/// implicit ones are --implicit-factors etc. (accepted by both).
/// </summary>
internal sealed class ImplicitFlags
{
    public ImplicitFlags(bool standalone)
    {
        Factors = Flag<int?>(standalone, "--factors", "--implicit-factors", "Latent factors k.");
        Epochs = Flag<int?>(standalone, "--epochs", "--implicit-epochs", "ALS epochs (one item and one user step each).");
        Regularization = Flag<float?>(standalone, "--reg", "--implicit-reg", "L2 regularization λ (scaled by row frequency, see --reg-exponent).");
        Threads = Flag<int?>(standalone, "--threads", "--implicit-threads", "Row-solve threads (0 = all cores).");
    }

    public Option<int?> Factors { get; }

    public Option<int?> Epochs { get; }

    public Option<float?> Regularization { get; }

    public Option<int?> Threads { get; }

    public Option<float?> Alpha { get; } = new("--alpha") { Description = "Confidence slope: an interaction weighs 1 + alpha * rating." };

    public Option<float?> UnobservedWeight { get; } = new("--unobserved-weight") { Description = "Weight of every unobserved (user, item) cell (alpha0)." };

    public Option<float?> RegularizationExponent { get; } = new("--reg-exponent") { Description = "Frequency scaling of λ: λ·(n_row + alpha0·N)^ν; 0 turns it off." };

    public Option<float?> RatingThreshold { get; } = new("--rating-threshold") { Description = "Only ratings at or above this are interactions (0 = every rating)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Factors, Epochs, Regularization, Threads, Alpha, UnobservedWeight, RegularizationExponent, RatingThreshold })
        {
            command.Add(option);
        }
    }

    public ImplicitTrainingOptions Options(ParseResult parse, int seed)
    {
        var defaults = new ImplicitTrainingOptions();
        var threshold = parse.GetValue(RatingThreshold);
        return defaults with
        {
            Factors = parse.GetValue(Factors) ?? defaults.Factors,
            Epochs = parse.GetValue(Epochs) ?? defaults.Epochs,
            Regularization = parse.GetValue(Regularization) ?? defaults.Regularization,
            Threads = parse.GetValue(Threads) ?? defaults.Threads,
            Alpha = parse.GetValue(Alpha) ?? defaults.Alpha,
            UnobservedWeight = parse.GetValue(UnobservedWeight) ?? defaults.UnobservedWeight,
            RegularizationExponent = parse.GetValue(RegularizationExponent) ?? defaults.RegularizationExponent,
            RatingThreshold = threshold is null ? defaults.RatingThreshold : threshold > 0 ? threshold : null,
            Seed = seed,
        };
    }

    private static Option<T> Flag<T>(bool standalone, string shortName, string longName, string description) =>
        standalone ? new Option<T>(shortName, longName) { Description = description } : new Option<T>(longName) { Description = description };
}
