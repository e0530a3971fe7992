using System.Text.Json;
using Microsoft.Extensions.Logging;
using Recommender.Models.Repository;

namespace Recommender.Jobs;

/// <summary>
/// Job records as one JSON file per job (<c>&lt;id&gt;.json</c>). Every write goes to a temporary
/// sibling, is fsynced, renamed over the old file and the folder fsynced, so a crash at any moment
/// leaves either the previous record or the new one, never a torn file.
/// </summary>
public sealed partial class JobStore
{
    private const string Extension = ".json";
    private readonly ILogger<JobStore> _logger;

    public JobStore(string folder, ILogger<JobStore> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
        _logger = logger;
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public void Save(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = PathOf(record.Id);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, record, JobJsonContext.Default.JobRecord);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(Folder);
    }

    public void Delete(string id)
    {
        File.Delete(PathOf(id));
        DirectorySync.Flush(Folder);
    }

    /// <summary>Every readable record; an unreadable file is logged and skipped (it must not stop the trainer from starting).</summary>
    public IReadOnlyList<JobRecord> LoadAll()
    {
        var records = new List<JobRecord>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*" + Extension))
        {
            try
            {
                var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), JobJsonContext.Default.JobRecord);
                if (record is not null && PathOf(record.Id) == path)
                {
                    records.Add(record);
                }
                else
                {
                    LogUnreadable(_logger, path, "empty or names another job");
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException or NotSupportedException)
            {
                LogUnreadable(_logger, path, ex.Message);
            }
        }

        // Leftover temporaries of a crash mid-write: the record they would have replaced is intact.
        foreach (var temporary in Directory.EnumerateFiles(Folder, "*" + Extension + ".tmp"))
        {
            File.Delete(temporary);
        }

        return records;
    }

    private string PathOf(string id) => Path.Combine(Folder, id + Extension);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping unreadable job record {Path}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
