using System.Xml.Linq;

namespace Recommender.Deployment.Tests;

/// <summary>
/// Checks of the Dockerfile against the repository: targets, bases, the cached restore layer
/// (every project file the host needs is copied before `dotnet restore`), paths that exist, and no
/// TorchSharp in the inference images.
/// </summary>
internal static class DockerfileChecks
{
    public const string TrainerProject = "src/Recommender.TrainerService/Recommender.TrainerService.csproj";

    public const string InferenceProject = "src/Recommender.InferenceService/Recommender.InferenceService.csproj";

    private static readonly string[] RestoreInputs = ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "build", "protos"];

    public static IReadOnlyList<string> Check(DockerfileModel dockerfile, string root)
    {
        var problems = new List<string>();
        foreach (var target in DeploymentDrift.Targets.Keys)
        {
            if (dockerfile.Stage(target) is null)
            {
                problems.Add($"Dockerfile: no target '{target}'");
            }
        }

        var gpu = dockerfile.Stage("inference-gpu");
        if (gpu is not null && !(gpu.From.Contains("cuda:13.", StringComparison.Ordinal) && gpu.From.Contains("cudnn", StringComparison.Ordinal) && gpu.From.Contains("ubuntu24.04", StringComparison.Ordinal)))
        {
            problems.Add($"Dockerfile: inference-gpu is FROM {gpu.From}; ONNX Runtime 1.31's CUDA provider needs a CUDA 13 + cuDNN 9 (Ubuntu 24.04) runtime base");
        }

        var trainer = dockerfile.Stage("trainer");
        if (trainer is not null && !trainer.From.Contains("noble", StringComparison.Ordinal))
        {
            problems.Add($"Dockerfile: trainer is FROM {trainer.From}; TorchSharp needs the libstdc++ of Ubuntu 24.04 (noble)");
        }

        foreach (var stage in dockerfile.Stages)
        {
            foreach (var copy in stage.Instructions.Where(i => i.Keyword is "COPY" or "ADD"))
            {
                var parts = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Any(p => p.StartsWith("--from=", StringComparison.Ordinal)))
                {
                    continue;
                }

                foreach (var source in parts.Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
                {
                    var relative = source.TrimEnd('/');
                    var exists = File.Exists(Path.Combine(root, relative)) || Directory.Exists(Path.Combine(root, relative));
                    if (!exists)
                    {
                        problems.Add($"Dockerfile line {copy.Line}: COPY source {source} does not exist");
                    }
                }
            }
        }

        CheckRestoreLayer(dockerfile, root, InferenceProject, problems);
        CheckRestoreLayer(dockerfile, root, TrainerProject, problems);

        var inferenceGraph = ProjectGraph(root, InferenceProject);
        if (inferenceGraph.Any(p => p.Contains("Recommender.Training", StringComparison.Ordinal)))
        {
            problems.Add("src/Recommender.InferenceService references Recommender.Training: the inference images would carry libtorch");
        }

        return problems;
    }

    private static void CheckRestoreLayer(DockerfileModel dockerfile, string root, string project, List<string> problems)
    {
        var stage = dockerfile.Stages.FirstOrDefault(s => s.Arguments("RUN").Any(r => r.Contains("dotnet restore " + project, StringComparison.Ordinal)));
        if (stage is null)
        {
            problems.Add($"Dockerfile: no stage runs `dotnet restore {project}` as its own layer");
            return;
        }

        var restoreIndex = stage.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore " + project, StringComparison.Ordinal));
        var copiedBefore = dockerfile.Chain(stage).Skip(1).Reverse().SelectMany(s => s.Instructions)
            .Concat(stage.Instructions.Take(restoreIndex))
            .Where(i => i.Keyword == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .Select(p => p.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);

        if (copiedBefore.Contains("src") || copiedBefore.Contains("."))
        {
            problems.Add($"Dockerfile: the sources are copied before `dotnet restore {project}`: every code change would redo the restore");
        }

        foreach (var needed in RestoreInputs.Concat(ProjectGraph(root, project)))
        {
            if (!copiedBefore.Contains(needed))
            {
                problems.Add($"Dockerfile: {needed} is not copied before `dotnet restore {project}` (stage {stage.Name})");
            }
        }

        var publishesAfter = stage.Instructions.Skip(restoreIndex + 1).Any(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish " + project, StringComparison.Ordinal) && i.Arguments.Contains("-r linux-x64", StringComparison.Ordinal));
        if (!publishesAfter)
        {
            problems.Add($"Dockerfile: stage {stage.Name} does not `dotnet publish {project} ... -r linux-x64` after its restore");
        }
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    public static IReadOnlyList<string> ProjectGraph(string root, string project)
    {
        var seen = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (seen.Contains(current))
            {
                continue;
            }

            seen.Add(current);
            var path = Path.Combine(root, current);
            if (!File.Exists(path))
            {
                continue;
            }

            var directory = Path.GetDirectoryName(current)!;
            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")?.Value.Replace('\\', '/');
                if (include is not null)
                {
                    var full = Path.GetFullPath(Path.Combine(root, directory, include));
                    pending.Push(Path.GetRelativePath(root, full).Replace('\\', '/'));
                }
            }
        }

        return seen;
    }
}
