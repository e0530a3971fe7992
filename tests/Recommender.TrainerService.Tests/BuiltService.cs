namespace Recommender.TrainerService.Tests;

/// <summary>Where the built service assemblies are, for tests that run them as separate processes.</summary>
internal static class BuiltService
{
    /// <summary>src/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;project&gt;.dll, in the configuration of these tests.</summary>
    public static string Dll(string project)
    {
        // AppContext.BaseDirectory is tests/<this>/bin/<configuration>/<tfm>/.
        var tfmFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmFolder.Parent!.Name;
        var repositoryRoot = tfmFolder.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repositoryRoot, "src", project, "bin", configuration, tfmFolder.Name, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first: {path} is missing.", path);
    }
}
