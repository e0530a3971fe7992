using Recommender.Models.Repository;

namespace Recommender.Training.Pipeline;

/// <summary>A finished run: the published manifest, each kind's trained model with its held-out evaluation, timings.</summary>
public sealed record TrainingOutcome(
    Manifest Manifest,
    IReadOnlyList<TrainedModel> Models,
    TimeSpan PrepareTime,
    TimeSpan ExportTime,
    TimeSpan TotalTime)
{
    /// <summary>The popularity chart ranked on the same split (the baseline every ranking is shown beside).</summary>
    public PopularityRanking Popularity { get; init; } = new(null, null);

    /// <summary>Wall time of each kind's whole step: training plus its held-out evaluation.</summary>
    public IReadOnlyDictionary<string, TimeSpan> KindTimes { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>The trained model of one kind's type, or null when the run did not train it.</summary>
    public T? Model<T>()
        where T : TrainedModel => Models.OfType<T>().FirstOrDefault();
}

/// <summary>The popularity baseline's held-out ranking under both relevance protocols (null without a held-out part).</summary>
public sealed record PopularityRanking(Recommender.Data.RankingReport? RatedAtLeast4, Recommender.Data.RankingReport? AllInteractions);
