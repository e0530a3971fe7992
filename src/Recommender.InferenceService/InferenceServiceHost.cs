using Recommender.Hosting;

namespace Recommender.InferenceService;

/// <summary>Builds the inference host; used by Program, the CLI (`recommender inference serve`) and tests.</summary>
public static class InferenceServiceHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddRecommenderGrpcHost();
        builder.AddInferenceServices();

        var app = builder.Build();
        app.MapGrpcService<InferenceGrpcService>();
        app.MapRecommenderGrpcHost();
        return app;
    }
}
