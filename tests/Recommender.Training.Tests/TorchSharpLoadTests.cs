using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Tests;

/// <summary>
/// Proves the native TorchSharp stack loads in the test host. On Debian 12 this fails unless the
/// build's libstdc++ fix (build/TorchSharpLibstdcxxFix.targets) has patched libLibTorchSharp.so.
/// </summary>
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void Libtorch_loads_and_multiplies_matrices()
    {
        Assert.True(torch.TryInitializeDeviceType(DeviceType.CPU));
        Assert.StartsWith("2.10", torch.__version__, StringComparison.Ordinal);

        using var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        using var b = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 });
        using var c = a.matmul(b);

        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Output_copy_of_libLibTorchSharp_has_weak_or_no_GLIBCXX_3_4_32_requirement()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        }.Where(File.Exists).ToList();

        Assert.NotEmpty(candidates);
        foreach (var path in candidates)
        {
            Assert.False(
                ElfVersionNeeds.HasStrictRequirement(File.ReadAllBytes(path), "GLIBCXX_3.4.32"),
                $"{path} still strictly requires GLIBCXX_3.4.32: the build's libstdc++ fix did not run.");
        }
    }
}
