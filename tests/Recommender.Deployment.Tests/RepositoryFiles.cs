namespace Recommender.Deployment.Tests;

/// <summary>The repository checkout the tests run in, and throw-away copies of its deployment files.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string DeployChecksScript => Path.Combine(Root, "deploy-checks", "run.sh");

    /// <summary>
    /// Copies k8s/, the Dockerfile and its build inputs (props, build/, protos/, the csproj files) into a fresh temporary folder,
    /// so a test can plant a mistake without touching the checkout.
    /// </summary>
    public static TempCopy CopyDeploymentFiles()
    {
        var dir = Directory.CreateTempSubdirectory("recommender-deploy-");
        CopyDirectory(Path.Combine(Root, "k8s"), Path.Combine(dir.FullName, "k8s"));
        CopyDirectory(Path.Combine(Root, "protos"), Path.Combine(dir.FullName, "protos"));
        CopyDirectory(Path.Combine(Root, "build"), Path.Combine(dir.FullName, "build"));
        foreach (var file in (string[])["Dockerfile", ".dockerignore", "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"])
        {
            File.Copy(Path.Combine(Root, file), Path.Combine(dir.FullName, file));
        }

        foreach (var project in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.FullName, Path.GetRelativePath(Root, project));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(project, target);
        }

        return new TempCopy(dir.FullName);
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recommender.sln")) && Directory.Exists(Path.Combine(dir.FullName, "k8s")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (Recommender.sln + k8s/) above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A temporary copy of the deployment files; deleted on dispose.</summary>
internal sealed class TempCopy(string root) : IDisposable
{
    public string Root { get; } = root;

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Replaces exactly the given text in a file of the copy; fails if it is not there (so a plant can't silently miss).</summary>
    public void Replace(string relative, string oldText, string newText, int expectedCount = -1)
    {
        var path = PathOf(relative);
        var text = File.ReadAllText(path);
        var count = CountOccurrences(text, oldText);
        Assert.True(count > 0, $"planting a mistake: '{oldText}' not found in {relative}");
        if (expectedCount >= 0)
        {
            Assert.Equal(expectedCount, count);
        }

        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
