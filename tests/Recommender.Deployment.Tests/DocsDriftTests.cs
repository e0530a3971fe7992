using System.Text.RegularExpressions;

namespace Recommender.Deployment.Tests;

/// <summary>What docs/deploy.md tells other teams to use exists in the manifests.</summary>
public sealed partial class DocsDriftTests
{
    private static readonly string Docs = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "deploy.md"));

    [Fact]
    public void Documented_client_target_is_the_headless_inference_service()
    {
        var objects = KubeObjects.Render(Path.Combine(RepositoryFiles.Root, "k8s", "overlays", "cpu"));
        var targets = DnsTarget().Matches(Docs).Select(m => m.Groups).ToList();
        Assert.NotEmpty(targets);
        foreach (var target in targets)
        {
            var service = objects.SingleOrDefault(o => o.Kind() == "Service" && o.Name() == target["service"].Value);
            Assert.True(service is not null, $"docs name Service {target["service"].Value}, which is not rendered");
            Assert.Equal(target["ns"].Value, service.Path("metadata").Str("namespace"));
            Assert.Equal("None", service.Path("spec").Str("clusterIP"));
            Assert.Contains(service.Path("spec", "ports").Items(), p => p.Str("port") == target["port"].Value && p.Str("name") == "grpc");
        }
    }

    [Fact]
    public void Documented_network_policy_labels_are_the_ones_the_policies_use()
    {
        var policies = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "k8s", "base", "network-policies.yaml"));
        foreach (var label in (string[])["recommender.io/inference-client", "recommender.io/trainer-client"])
        {
            Assert.Contains(label, Docs, StringComparison.Ordinal);
            Assert.Contains(label + ": \"true\"", policies, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"dns:///(?<service>[a-z0-9-]+)\.(?<ns>[a-z0-9-]+)\.svc\.cluster\.local:(?<port>[0-9]+)")]
    private static partial Regex DnsTarget();
}
