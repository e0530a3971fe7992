using Recommender.TrainerService;

await using var app = TrainerServiceHost.Build(args);
await app.RunAsync().ConfigureAwait(false);
