using Recommender.Training.Pipeline;

namespace Recommender.InferenceService.Tests;

/// <summary>One published version shared by the tests of a class (training is the slow part).</summary>
public sealed class ServedRepositoryFixture : IDisposable
{
    public ServedRepositoryFixture()
    {
        Repository = new ServedRepository();
        Version1 = Repository.Publish();
    }

    public ServedRepository Repository { get; }

    public TrainingOutcome Version1 { get; }

    public void Dispose() => Repository.Dispose();
}
