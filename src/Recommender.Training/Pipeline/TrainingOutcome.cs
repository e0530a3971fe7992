using Recommender.Data;
using Recommender.Models.Repository;
using Recommender.Training.Mf;
using Recommender.Training.Neural;

namespace Recommender.Training.Pipeline;

/// <summary>A finished run: the published manifest, each model's training result and held-out evaluation, timings.</summary>
public sealed record TrainingOutcome(
    Manifest Manifest,
    MfTrainingResult? Mf,
    EvaluationReport? MfEvaluation,
    NeuralTrainingResult? Neural,
    EvaluationReport? NeuralEvaluation,
    TimeSpan PrepareTime,
    TimeSpan ExportTime,
    TimeSpan TotalTime);
