using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Recommender.Cli.Commands;

/// <summary>
/// <see cref="CommandAction"/> for commands that call a trainer: a failed call (unreachable
/// trainer, wrong token, invalid request) becomes one line with the status code and the server's
/// message, and exit code 1, instead of a stack trace; so does an address the client refuses.
/// </summary>
internal static class TrainerCommandAction
{
    public static Task<int> Run(Func<Task<int>> body) => CommandAction.Run(async () =>
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            await Console.Error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}").ConfigureAwait(false);
            return 1;
        }
        catch (OptionsValidationException ex)
        {
            // The client's own check of --address (and --token over plaintext): names the setting at fault.
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    });
}
