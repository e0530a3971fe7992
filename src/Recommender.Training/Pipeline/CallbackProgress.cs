namespace Recommender.Training.Pipeline;

/// <summary>
/// Reports synchronously on the training thread. <see cref="Progress{T}"/> would post to the
/// thread pool, so epochs could arrive out of order or after the run has returned.
/// </summary>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
