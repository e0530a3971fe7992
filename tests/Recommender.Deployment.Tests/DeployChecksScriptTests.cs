namespace Recommender.Deployment.Tests;

/// <summary>
/// deploy-checks/run.sh (what CI runs) passes on the repository's files and fails, for the right
/// reason, on a copy with one planted mistake. Needs kubectl and node; run.sh installs its pinned
/// npm packages with `npm ci` when they are missing. Nothing here is skipped: a missing tool fails.
/// </summary>
public sealed class DeployChecksScriptTests
{
    [Fact]
    public void All_checks_pass_on_an_untouched_copy()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        var result = RunChecks(copy.Root);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("deploy-checks: all passed", result.Output, StringComparison.Ordinal);
        Assert.Contains("== kustomize: render cpu-pull cpu gpu", result.Output, StringComparison.Ordinal);
        Assert.Contains("typed objects", result.Output, StringComparison.Ordinal);
        Assert.Contains("validated", result.Output, StringComparison.Ordinal);
        Assert.Contains("no problems (dockerfile-utils, strict)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_check_rejects_a_misspelled_readinessProbe()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/inference-deployment.yaml", "readinessProbe:", "readinesProbe:");
        AssertFails(RunChecks(copy.Root, "schema"), "FAIL schema", "'\"readinesProbe\"' does not exist in type 'IContainer'");
    }

    [Fact]
    public void Schema_check_rejects_a_misspelled_optional_field_deep_in_a_spec()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/inference-deployment.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalaton: false");
        AssertFails(RunChecks(copy.Root, "schema"), "FAIL schema", "allowPrivilegeEscalaton");
    }

    [Fact]
    public void Schema_check_rejects_a_wrong_value_type()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/inference-hpa.yaml", "minReplicas: 2", "minReplicas: [2]");
        AssertFails(RunChecks(copy.Root, "schema"), "FAIL schema", "HorizontalPodAutoscaler__recommender-inference.ts(", "Type 'number[]' is not assignable to type 'number'");
    }

    [Fact]
    public void Schema_check_rejects_a_malformed_quantity()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/inference-deployment.yaml", "memory: 4Gi", "memory: 4GB");
        AssertFails(RunChecks(copy.Root, "schema"), "FAIL schema", "resources/limits/memory must match format \"quantity\"");
    }

    [Fact]
    public void Schema_check_rejects_an_unknown_kind()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/inference-pdb.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBuget");
        AssertFails(RunChecks(copy.Root, "schema"), "FAIL schema", "PodDisruptionBuget");
    }

    [Fact]
    public void Kustomize_check_rejects_a_bad_kustomization()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/base/kustomization.yaml", "resources:", "resourcs:");
        AssertFails(RunChecks(copy.Root, "kustomize"), "FAIL kustomize", "resourcs");
    }

    [Fact]
    public void Kustomize_check_rejects_a_missing_resource()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        File.Delete(copy.PathOf("k8s/base/inference-hpa.yaml"));
        AssertFails(RunChecks(copy.Root, "kustomize"), "FAIL kustomize", "inference-hpa.yaml");
    }

    [Fact]
    public void Kustomize_check_rejects_a_patch_for_a_missing_object()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("k8s/overlays/gpu/inference-gpu-patch.yaml", "name: recommender-inference", "name: recommender-inferense");
        AssertFails(RunChecks(copy.Root, "kustomize"), "FAIL kustomize", "recommender-inferense");
    }

    [Fact]
    public void Dockerfile_lint_rejects_an_unknown_instruction()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("Dockerfile", "WORKDIR /src", "WORKDIRR /src");
        AssertFails(RunChecks(copy.Root, "dockerfile"), "FAIL dockerfile", "Unknown instruction: WORKDIRR");
    }

    [Fact]
    public void Dockerfile_lint_rejects_a_relative_workdir()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("Dockerfile", "WORKDIR /src", "WORKDIR src");
        AssertFails(RunChecks(copy.Root, "dockerfile"), "FAIL dockerfile", "WORKDIR src");
    }

    [Fact]
    public void Dockerfile_lint_rejects_a_bad_expose_protocol()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("Dockerfile", "EXPOSE 50051 9090", "EXPOSE 50051/tcpx 9090");
        AssertFails(RunChecks(copy.Root, "dockerfile"), "FAIL dockerfile", "Invalid proto: tcpx");
    }

    [Fact]
    public void Dockerfile_lint_rejects_a_copy_without_a_destination()
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("Dockerfile", "COPY build/ build/", "COPY build/");
        AssertFails(RunChecks(copy.Root, "dockerfile"), "FAIL dockerfile", "COPY requires at least two arguments");
    }

    private static ProcessResult RunChecks(string root, string? only = null)
    {
        List<string> args = [RepositoryFiles.DeployChecksScript, "--root", root];
        if (only is not null)
        {
            args.AddRange(["--only", only]);
        }

        return ProcessRunner.Run("bash", args, timeout: TimeSpan.FromMinutes(10));
    }

    private static void AssertFails(ProcessResult result, string failure, params string[] details)
    {
        Assert.True(result.ExitCode != 0, $"the check passed although a mistake was planted:\n{result}");
        Assert.Contains(failure, result.Output, StringComparison.Ordinal);
        foreach (var detail in details)
        {
            Assert.Contains(detail, result.Output, StringComparison.Ordinal);
        }
    }
}
