namespace Recommender.Serving;

/// <summary>A request argument is invalid; <see cref="Field"/> names it (INVALID_ARGUMENT).</summary>
public sealed class InvalidRequestException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>A request is over a configured limit (RESOURCE_EXHAUSTED).</summary>
public sealed class LimitExceededException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>Ids the served model does not know (NOT_FOUND); the message names them.</summary>
public sealed class UnknownIdsException(string field, IReadOnlyList<long> ids)
    : Exception($"{field}: unknown id(s) {string.Join(", ", ids.Take(20))}{(ids.Count > 20 ? $" and {ids.Count - 20} more" : "")}")
{
    public string Field { get; } = field;

    public IReadOnlyList<long> Ids { get; } = ids;
}

/// <summary>The model exists but nothing is loaded to serve it yet (FAILED_PRECONDITION).</summary>
public sealed class ModelNotLoadedException(string message) : Exception(message);
