namespace Recommender.Models.Repository;

/// <summary>
/// The file names a version directory may hold, and the well-known ones. A name is one path
/// segment of <c>[A-Za-z0-9._-]</c> starting with a letter or digit: no separators, no <c>..</c>,
/// nothing hidden, so a manifest can never point outside its version directory.
/// </summary>
public static class ArtifactFileNames
{
    public const string Manifest = "manifest.json";
    public const string MfFactors = "mf.safetensors";
    public const string IdMaps = "ids.safetensors";
    public const string Catalog = "catalog.json";
    public const string SeenItems = "seen.safetensors";
    public const string NeuralOnnx = "neural.onnx";

    /// <summary>
    /// Optional: external ids of users and items with no training rating that a model still has
    /// rows for (from their side features), at index id-map count + k. Same layout as <see cref="IdMaps"/>.
    /// </summary>
    public const string ColdIds = "cold_ids.safetensors";

    public const int MaxLength = 128;

    public static bool IsValid(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName) || fileName.Length > MaxLength || !char.IsAsciiLetterOrDigit(fileName[0]))
        {
            return false;
        }

        foreach (var c in fileName)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return !fileName.Contains("..", StringComparison.Ordinal);
    }

    public static string Validate(string? fileName, string paramName = "fileName") =>
        IsValid(fileName)
            ? fileName!
            : throw new ArgumentException($"File name '{fileName}' is invalid: use one path segment of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit, without '..'.", paramName);
}
