using Grpc.Core;
using Grpc.Net.Client;
using Recommender.Models.Repository;

namespace Recommender.InferenceService.Tests;

/// <summary>
/// What the battery of issue 11 (an outside client's findings) needs: calls with bytes the
/// generated client would never send, and versions published the way <c>cp -r</c> does.
/// </summary>
internal static class OutsideClient
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>A unary call whose request body is exactly <paramref name="body"/> (the response comes back as bytes).</summary>
    public static Task<byte[]> RawUnaryAsync(GrpcChannel channel, string method, byte[] body)
    {
        var slash = method.IndexOf('/', StringComparison.Ordinal);
        var descriptor = new Method<byte[], byte[]>(MethodType.Unary, method[..slash], method[(slash + 1)..], Bytes, Bytes);
        return channel.CreateCallInvoker()
            .AsyncUnaryCall(descriptor, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20)), body).ResponseAsync;
    }

    /// <summary>
    /// Copies version <paramref name="from"/> of <paramref name="source"/> into <paramref name="target"/>
    /// as version <paramref name="version"/>, straight into its final folder (no staging rename):
    /// the manifest first, the other files after <paramref name="gap"/>, as a slow copy lands.
    /// </summary>
    public static async Task CopyVersionInPlaceAsync(ModelRepository source, long from, ModelRepository target, long version, TimeSpan gap)
    {
        var origin = source.VersionPath(ServedRepository.ModelName, from);
        var destination = target.VersionPath(ServedRepository.ModelName, version);
        Directory.CreateDirectory(destination);
        Manifest.Load(Path.Combine(origin, ArtifactFileNames.Manifest)).WithVersion(version).Save(Path.Combine(destination, ArtifactFileNames.Manifest));
        await Task.Delay(gap);
        foreach (var file in Directory.EnumerateFiles(origin).Where(f => Path.GetFileName(f) != ArtifactFileNames.Manifest))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }

    /// <summary>Publishes a copy of a version the proper way: a staging folder renamed into place.</summary>
    public static void CopyVersionAtomically(ModelRepository source, long from, ModelRepository target, long version)
    {
        var origin = source.VersionPath(ServedRepository.ModelName, from);
        var destination = target.VersionPath(ServedRepository.ModelName, version);
        var staging = Path.Combine(Path.GetDirectoryName(destination)!, ModelRepository.StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.EnumerateFiles(origin).Where(f => Path.GetFileName(f) != ArtifactFileNames.Manifest))
        {
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        }

        Manifest.Load(Path.Combine(origin, ArtifactFileNames.Manifest)).WithVersion(version).Save(Path.Combine(staging, ArtifactFileNames.Manifest));
        Directory.Move(staging, destination);
    }
}
