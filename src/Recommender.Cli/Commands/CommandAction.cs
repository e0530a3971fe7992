using Recommender.Data;
using Recommender.Models;
using Spectre.Console;

namespace Recommender.Cli.Commands;

/// <summary>
/// Runs a command body and turns the failures a user can cause (bad files, bad flags, no network)
/// into one clear line on stderr and exit code 1, instead of a stack trace.
/// </summary>
internal static class CommandAction
{
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is DatasetFormatException or ArtifactFormatException or DatasetDownloadException
            or ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException
            or KeyNotFoundException or InvalidDataException or IOException or InvalidOperationException
            or Recommender.Models.Repository.ModelNotFoundException or Serving.UnknownIdsException)
        {
            AnsiConsole.Console.Profile.Out.Writer.Flush();
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
