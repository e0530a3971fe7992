namespace Recommender.InferenceService.Pull;

/// <summary>A pulled version did not arrive whole or intact; nothing of it was committed.</summary>
public sealed class PullException : Exception
{
    public PullException()
    {
    }

    public PullException(string message)
        : base(message)
    {
    }

    public PullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
