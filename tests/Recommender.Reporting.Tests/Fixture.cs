namespace Recommender.Reporting.Tests;

/// <summary>The hand-written JSON fixtures copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));
}
