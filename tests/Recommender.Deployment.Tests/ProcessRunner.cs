using System.Diagnostics;
using System.Text;

namespace Recommender.Deployment.Tests;

internal sealed record ProcessResult(int ExitCode, string Output, string StandardOutput)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}";
}

/// <summary>Runs a command to completion (bounded), capturing stdout and stderr together.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryFiles.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var stdout = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{fileName}' could not be started (is it installed and on PATH?): {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in time:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new ProcessResult(process.ExitCode, output.ToString(), stdout.ToString());
        }
    }

    /// <summary>`kubectl kustomize DIR`: the rendered YAML, or a failed assertion with kustomize's message.</summary>
    public static string Kustomize(string directory)
    {
        var result = Run("kubectl", ["kustomize", directory]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {directory} failed:\n{result.Output}");
        return result.StandardOutput;
    }
}
