namespace Recommender.Jobs;

/// <summary>A request field is missing, malformed or over a bound; the message starts with the field ("mf.factors: ...").</summary>
public sealed class InvalidJobRequestException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
}
