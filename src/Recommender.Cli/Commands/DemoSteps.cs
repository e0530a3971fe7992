using System.Diagnostics;
using System.Globalization;

namespace Recommender.Cli.Commands;

/// <summary>Numbers and times the demo's steps; a failure names the step that failed and why.</summary>
internal sealed class DemoSteps(TextWriter output)
{
    private int _step;

    public async Task<T> RunAsync<T>(string name, Func<Task<T>> step)
    {
        _step++;
        output.WriteLine($"[{_step}] {name}");
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await step().ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    done in {watch.Elapsed.TotalSeconds:F1}s"));
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"demo step {_step} ({name}) failed: {ex.Message}", ex);
        }
    }
}
