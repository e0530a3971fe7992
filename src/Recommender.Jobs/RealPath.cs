namespace Recommender.Jobs;

/// <summary>
/// A path with every symbolic link along it resolved (what realpath(3) returns), so that a
/// containment check cannot be fooled by a link inside the data root that points outside it.
/// </summary>
public static class RealPath
{
    // As the kernel's limit on nested links (ELOOP): a cycle fails instead of recursing forever.
    private const int MaxLinkDepth = 40;

    public static string Resolve(string path) => Resolve(Path.GetFullPath(path), 0);

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both already real).</summary>
    public static bool IsUnder(string path, string root)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        var trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        return path == trimmedRoot || path.StartsWith(trimmedRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string Resolve(string fullPath, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"Too many levels of symbolic links resolving '{fullPath}'.");
        }

        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var segment in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, segment);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                // A relative target is relative to the link's folder; it may hold links of its own.
                next = Resolve(Path.GetFullPath(target, current), depth + 1);
            }

            current = next;
        }

        return current;
    }
}
