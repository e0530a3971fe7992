using Recommender.InferenceService;

await using var app = InferenceServiceHost.Build(args);
await app.RunAsync().ConfigureAwait(false);
