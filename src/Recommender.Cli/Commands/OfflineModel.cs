using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Recommender.Models.Repository;
using Recommender.Serving;

namespace Recommender.Cli.Commands;

/// <summary>
/// Loads a model version in process exactly as the inference service does (checksums, ONNX
/// Runtime sessions, smoke test), for the offline `evaluate` and `recommend` commands.
/// </summary>
internal static class OfflineModel
{
    public static (ServableModel Model, ModelRegistry Registry, RecommendationEngine Engine) Load(string repository, string? name, long version,
        Action<InferenceOptions>? configure = null)
    {
        var options = new InferenceOptions { RepositoryPath = repository, ExecutionProvider = ExecutionProviderPreference.Cpu };
        options.Batching.Enabled = false;
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        var sessions = new OnnxSessionFactory(ExecutionProviderPreference.Cpu, 0, Environment.ProcessorCount, NullLogger<OnnxSessionFactory>.Instance);
        var loader = new ServableModelLoader(new ModelRepository(repository, TimeProvider.System), sessions, wrapped, new ServingMetrics());
        var modelName = name ?? SingleModelName(loader);
        var target = version > 0 ? version : loader.Repository.LatestVersion(modelName)
            ?? throw new DirectoryNotFoundException($"No version of model '{modelName}' in {repository}.");
        var model = loader.Load(modelName, target);
        var registry = new ModelRegistry();
        registry.Install(model);
        return (model, registry, new RecommendationEngine(registry, wrapped));
    }

    private static string SingleModelName(ServableModelLoader loader)
    {
        var names = loader.Repository.ListModelNames();
        return names.Count switch
        {
            1 => names[0],
            0 => throw new DirectoryNotFoundException($"The repository {loader.Repository.RootPath} holds no model."),
            _ => throw new ArgumentException($"The repository holds several models ({string.Join(", ", names)}); pass --name."),
        };
    }
}
