using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recommender.Reporting;

/// <summary>Reads and writes <see cref="BenchRun"/> as indented camelCase JSON.</summary>
public static class BenchJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(BenchRun run) => JsonSerializer.Serialize(run, Options);

    public static BenchRun Deserialize(string json) =>
        JsonSerializer.Deserialize<BenchRun>(json, Options) ?? throw new InvalidDataException("The bench JSON is empty.");

    public static async Task WriteAsync(string path, BenchRun run, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, Serialize(run), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<BenchRun> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return Deserialize(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a bench result file ({ex.Message}).", ex);
        }
    }
}
