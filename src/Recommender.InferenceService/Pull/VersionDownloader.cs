using System.Security.Cryptography;
using Recommender.Client;
using Recommender.Contracts.V1;
using Recommender.Models;
using Recommender.Models.Repository;

namespace Recommender.InferenceService.Pull;

/// <summary>
/// Downloads one version from a trainer into a draft of the local repository and commits it under
/// the trainer's version number. Every chunk must continue its file at the right offset, and every
/// file's size and SHA-256 must match the streamed manifest before anything is committed; on any
/// mismatch or a broken stream the draft is deleted, so the local repository never holds a partial
/// or corrupted version.
/// </summary>
internal sealed class VersionDownloader(ModelRepository repository)
{
    public async Task<Manifest> DownloadAsync(ITrainerClient client, string modelName, long version, CancellationToken cancellationToken)
    {
        using var draft = repository.BeginPublish(modelName);
        if (draft.NextVersion != version)
        {
            throw new PullException($"Cannot pull '{modelName}' version {version}: the local repository's next version is {draft.NextVersion}.");
        }

        var stream = client.DownloadModelVersionAsync(modelName, version, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (stream.ConfigureAwait(false))
        {
            var described = await Next(stream).ConfigureAwait(false);
            if (described.PartCase != DownloadModelVersionResponse.PartOneofCase.Manifest
                || described.Manifest.Name != modelName || described.Manifest.Version != version)
            {
                throw new PullException($"The trainer did not start the download of '{modelName}' version {version} with its manifest.");
            }

            var json = await Next(stream).ConfigureAwait(false);
            if (json.PartCase != DownloadModelVersionResponse.PartOneofCase.ManifestJson)
            {
                throw new PullException("The trainer did not send manifest.json after the manifest.");
            }

            var manifest = Manifest.Parse(json.ManifestJson.Span, $"{modelName}/{version}/manifest.json (from the trainer)");
            var expected = described.Manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            if (manifest.ModelName != modelName || manifest.Version != version || manifest.Files.Count != expected.Count
                || manifest.Files.Any(f => !expected.TryGetValue(f.Name, out var e) || e.SizeBytes != f.Size || e.Sha256 != f.Sha256))
            {
                throw new PullException($"manifest.json of '{modelName}' version {version} disagrees with the streamed manifest.");
            }

            var received = await ReceiveFilesAsync(stream, draft, expected, cancellationToken).ConfigureAwait(false);
            var missing = expected.Keys.Except(received, StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                throw new PullException($"The download of '{modelName}' version {version} ended without {string.Join(", ", missing)}.");
            }

            foreach (var model in manifest.Models)
            {
                draft.AddModel(model);
            }

            // Same number as the trainer's: ONNX files embed it, and operators compare versions across services.
            return draft.Commit(manifest.Dataset, manifest.HyperParameters, manifest.Metrics, requiredVersion: version);
        }
    }

    private static async Task<HashSet<string>> ReceiveFilesAsync(IAsyncEnumerator<DownloadModelVersionResponse> stream, VersionDraft draft,
        Dictionary<string, ModelFile> expected, CancellationToken cancellationToken)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        FileStream? output = null;
        IncrementalHash? hash = null;
        ModelFile? current = null;
        long offset = 0;
        try
        {
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                var message = stream.Current;
                if (message.PartCase != DownloadModelVersionResponse.PartOneofCase.Chunk)
                {
                    throw new PullException($"Unexpected {message.PartCase} in the middle of the files.");
                }

                var chunk = message.Chunk;
                if (current is null)
                {
                    if (!expected.TryGetValue(chunk.Path, out current) || done.Contains(chunk.Path))
                    {
                        throw new PullException($"The trainer sent '{chunk.Path}', which the manifest does not list (or sent it twice).");
                    }

                    // PathFor validates the name: one plain segment, never manifest.json or a path.
                    output = new FileStream(draft.PathFor(chunk.Path), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                    hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    offset = 0;
                }
                else if (chunk.Path != current.Path)
                {
                    throw new PullException($"'{chunk.Path}' started before '{current.Path}' ended.");
                }

                if (chunk.Offset != offset || offset + chunk.Data.Length > current.SizeBytes)
                {
                    throw new PullException($"'{chunk.Path}': chunk at offset {chunk.Offset} (+{chunk.Data.Length}) does not continue the {offset} bytes received of {current.SizeBytes}.");
                }

                await output!.WriteAsync(chunk.Data.Memory, cancellationToken).ConfigureAwait(false);
                hash!.AppendData(chunk.Data.Span);
                offset += chunk.Data.Length;
                if (!chunk.Last)
                {
                    continue;
                }

                var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (offset != current.SizeBytes || sha != current.Sha256)
                {
                    throw new PullException($"'{current.Path}' arrived with {offset} bytes and SHA-256 {sha}; the manifest says {current.SizeBytes} bytes and {current.Sha256}.");
                }

                await output.DisposeAsync().ConfigureAwait(false);
                output = null;
                hash.Dispose();
                hash = null;
                done.Add(current.Path);
                current = null;
            }

            if (current is not null)
            {
                throw new PullException($"The download ended in the middle of '{current.Path}'.");
            }

            return done;
        }
        finally
        {
            if (output is not null)
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }

            hash?.Dispose();
        }
    }

    private static async Task<DownloadModelVersionResponse> Next(IAsyncEnumerator<DownloadModelVersionResponse> stream) =>
        await stream.MoveNextAsync().ConfigureAwait(false)
            ? stream.Current
            : throw new PullException("The download ended before the manifest.");
}
