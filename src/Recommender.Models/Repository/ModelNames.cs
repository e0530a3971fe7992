namespace Recommender.Models.Repository;

/// <summary>
/// Model names: <c>[a-z0-9][a-z0-9._-]{0,63}</c>. Names become directory names and appear in
/// URLs, metrics labels and Kubernetes objects, so they are lower-case, ASCII and can never be
/// <c>.</c>, <c>..</c> or a hidden (staging) directory.
/// </summary>
public static class ModelNames
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsLowerAlnum(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsLowerAlnum(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule when <paramref name="name"/> breaks it.</summary>
    public static string Validate(string? name, string paramName = "name") =>
        IsValid(name)
            ? name!
            : throw new ArgumentException($"Model name '{name}' is invalid: use 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.", paramName);

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
