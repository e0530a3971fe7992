using Recommender.Hosting;
using Recommender.InferenceService;

var builder = WebApplication.CreateBuilder(args);
builder.AddRecommenderGrpcHost();
builder.AddInferenceServices();

var app = builder.Build();
app.MapGrpcService<InferenceGrpcService>();
app.MapRecommenderGrpcHost();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The entry point, visible to the end-to-end tests that host the service in process.</summary>
public partial class Program;
