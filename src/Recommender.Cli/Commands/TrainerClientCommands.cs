using System.CommandLine;
using System.Globalization;
using Recommender.Contracts.V1;

namespace Recommender.Cli.Commands;

/// <summary>`recommender trainer watch|cancel|jobs|versions` against a running trainer.</summary>
internal static class TrainerClientCommands
{
    public static Command Watch()
    {
        var flags = new TrainerClientFlags();
        var job = JobOption();
        var command = new Command("watch", "Stream a job's progress (past events first) until it ends.") { job };
        flags.AddTo(command, withToken: false);
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            await using var connection = flags.Connect(parse);
            return await TrainingEventPrinter.FollowAsync(connection.Trainer, parse.GetValue(job)!, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Cancel()
    {
        var flags = new TrainerClientFlags();
        var job = JobOption();
        var command = new Command("cancel", "Cancel a queued or running job (it publishes nothing).") { job };
        flags.AddTo(command, withToken: true);
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            await using var connection = flags.Connect(parse);
            var cancelled = await connection.Trainer.CancelTrainingAsync(parse.GetValue(job)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{cancelled.JobId}: {State(cancelled.State)}");
            return 0;
        }));
        return command;
    }

    public static Command Jobs()
    {
        var flags = new TrainerClientFlags();
        var limit = new Option<int>("--limit") { Description = "Most recent jobs to list (0: the server's default).", DefaultValueFactory = _ => 20 };
        var command = new Command("jobs", "List training jobs, most recent first.") { limit };
        flags.AddTo(command, withToken: false);
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            await using var connection = flags.Connect(parse);
            var jobs = await connection.Trainer.ListTrainingJobsAsync(parse.GetValue(limit), cancellationToken).ConfigureAwait(false);
            foreach (var j in jobs)
            {
                var version = j.PublishedVersion > 0 ? string.Create(CultureInfo.InvariantCulture, $" v{j.PublishedVersion}") : "";
                var error = j.Error.Length > 0 ? $" ({j.Error})" : "";
                Console.WriteLine($"{j.JobId}  {j.CreatedAt.ToDateTime():yyyy-MM-dd HH:mm:ss}  {State(j.State),-9}  {j.ModelName}{version}{error}");
            }

            return 0;
        }));
        return command;
    }

    public static Command Versions()
    {
        var flags = new TrainerClientFlags();
        var name = new Option<string?>("--name") { Description = "Only this model name." };
        var command = new Command("versions", "List the published model versions with their metrics.") { name };
        flags.AddTo(command, withToken: false);
        command.SetAction((parse, cancellationToken) => TrainerCommandAction.Run(async () =>
        {
            await using var connection = flags.Connect(parse);
            var versions = await connection.Trainer.ListModelVersionsAsync(parse.GetValue(name), cancellationToken).ConfigureAwait(false);
            foreach (var v in versions)
            {
                Console.WriteLine($"{v.CreatedAt.ToDateTime():yyyy-MM-dd HH:mm:ss}  {TrainingEventPrinter.Published(v)["published ".Length..]}");
            }

            return 0;
        }));
        return command;
    }

    private static Option<string> JobOption() => new("--job") { Description = "The job id.", Required = true };

    private static string State(JobState state) => state.ToString().ToLowerInvariant();
}
