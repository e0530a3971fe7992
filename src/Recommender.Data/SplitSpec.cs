using System.Globalization;

namespace Recommender.Data;

/// <summary>How to hold out ratings for evaluation.</summary>
public enum SplitKind
{
    /// <summary>Everything is training data; the test part is empty.</summary>
    None,

    /// <summary>A seeded random fraction of all ratings is held out (as the notebook's train_test_split).</summary>
    Random,

    /// <summary>ml-100k's published split files (u1..u5 five-fold, ua/ub ten-per-user).</summary>
    Official,

    /// <summary>Each user's last k ratings by timestamp are held out: a "predict the future" split.</summary>
    LastK,
}

/// <summary>
/// A parsed split description, written as text so that it fits a CLI flag, a gRPC string field
/// and a manifest: <c>none</c>, <c>random:0.2</c>, <c>u1</c>..<c>u5</c>, <c>ua</c>, <c>ub</c>, <c>last:5</c>.
/// </summary>
public sealed record SplitSpec
{
    private const string Forms = "expected none, random:<fraction in (0,1)>, u1..u5, ua, ub or last:<k >= 1>";

    private SplitSpec(SplitKind kind, double testFraction, string? officialName, int lastK)
    {
        Kind = kind;
        TestFraction = testFraction;
        OfficialName = officialName;
        LastK = lastK;
    }

    public SplitKind Kind { get; }

    /// <summary>For <see cref="SplitKind.Random"/>: the held-out fraction.</summary>
    public double TestFraction { get; }

    /// <summary>For <see cref="SplitKind.Official"/>: u1..u5, ua or ub.</summary>
    public string? OfficialName { get; }

    /// <summary>For <see cref="SplitKind.LastK"/>: ratings held out per user.</summary>
    public int LastK { get; }

    public static SplitSpec None { get; } = new(SplitKind.None, 0, null, 0);

    public static SplitSpec RandomFraction(double testFraction)
    {
        if (!(testFraction is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        }

        return new(SplitKind.Random, testFraction, null, 0);
    }

    public static SplitSpec Official(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name is not ("u1" or "u2" or "u3" or "u4" or "u5" or "ua" or "ub"))
        {
            throw new ArgumentException($"Unknown official split \"{name}\": ml-100k ships u1..u5, ua and ub.", nameof(name));
        }

        return new(SplitKind.Official, 0, name, 0);
    }

    public static SplitSpec Last(int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "last:k needs k >= 1.");
        }

        return new(SplitKind.LastK, 0, null, k);
    }

    /// <exception cref="FormatException">The text is not one of the accepted forms.</exception>
    public static SplitSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var head = (colon < 0 ? trimmed : trimmed[..colon]).ToLowerInvariant();
        var argument = colon < 0 ? null : trimmed[(colon + 1)..];
        switch (head)
        {
            case "none" when argument is null:
                return None;
            case "u1" or "u2" or "u3" or "u4" or "u5" or "ua" or "ub" when argument is null:
                return Official(head);
            case "random" when argument is not null:
                if (!double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) || !(fraction is > 0 and < 1))
                {
                    throw new FormatException($"Split \"{text}\": the random test fraction must be a number strictly between 0 and 1, e.g. random:0.2.");
                }

                return RandomFraction(fraction);
            case "last" when argument is not null:
                if (!int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                {
                    throw new FormatException($"Split \"{text}\": last:k needs a whole number k >= 1, e.g. last:5.");
                }

                return Last(k);
            default:
                throw new FormatException($"Unknown split \"{text}\": {Forms}.");
        }
    }

    public static bool TryParse(string text, out SplitSpec? spec)
    {
        try
        {
            spec = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            spec = null;
            return false;
        }
    }

    /// <summary>The canonical text form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Kind switch
    {
        SplitKind.None => "none",
        SplitKind.Random => string.Create(CultureInfo.InvariantCulture, $"random:{TestFraction}"),
        SplitKind.Official => OfficialName!,
        SplitKind.LastK => string.Create(CultureInfo.InvariantCulture, $"last:{LastK}"),
        _ => Kind.ToString(),
    };
}
