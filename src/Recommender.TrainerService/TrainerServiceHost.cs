using Recommender.Hosting;

namespace Recommender.TrainerService;

/// <summary>Builds the trainer host; used by Program, the CLI (`recommender trainer serve`) and tests.</summary>
public static class TrainerServiceHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddRecommenderGrpcHost();
        builder.AddTrainerServices();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<TrainerGrpcService>();
        app.MapRecommenderGrpcHost();
        return app;
    }
}
