namespace Recommender.Deployment.Tests;

/// <summary>
/// The manifests and the Dockerfile agree with the services' configuration (names, ports, probes,
/// paths, users), and the drift check is shown to catch each kind of planted mistake.
/// </summary>
public sealed class DriftTests
{
    private static readonly string[] OverlayNames = [.. Directory.EnumerateDirectories(Path.Combine(RepositoryFiles.Root, "k8s", "overlays"))
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static TheoryData<string> Overlays() => [.. OverlayNames];

    [Fact]
    public void Overlays_include_cpu_gpu_and_the_pull_path()
    {
        var overlays = OverlayNames;
        Assert.Contains("cpu", overlays);
        Assert.Contains("gpu", overlays);
        Assert.Contains("cpu-pull", overlays);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_matches_the_services_configuration(string overlay)
    {
        var problems = CheckOverlay(RepositoryFiles.Root, overlay);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Dockerfile_matches_the_repository()
    {
        var problems = DockerfileChecks.Check(DockerfileModel.Load(Path.Combine(RepositoryFiles.Root, "Dockerfile")), RepositoryFiles.Root);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Gpu_overlay_runs_the_cuda_image_on_a_gpu()
    {
        var objects = KubeObjects.Render(Path.Combine(RepositoryFiles.Root, "k8s", "overlays", "gpu"));
        var inference = objects.Single(o => o.Kind() == "Deployment" && o.Name() == "recommender-inference");
        var container = inference.Path("spec", "template", "spec", "containers")!.AsArray()[0]!;
        Assert.Equal("inference-gpu", DeploymentDrift.ImageTarget(container.Str("image")!));
        Assert.Equal("1", container.Path("resources", "limits").Str("nvidia.com/gpu"));
        Assert.NotNull(inference.Path("spec", "template", "spec", "tolerations"));
        Assert.NotNull(inference.Path("spec", "template", "spec", "nodeSelector"));
    }

    [Fact]
    public void Trainer_and_pull_variables_bind_to_the_services_own_options_classes()
    {
        var problems = new List<string>();
        var bound = ServiceSettings.Bind(new Dictionary<string, string>
        {
            ["Trainer__RepositoryPath"] = "/models",
            ["Trainer__DataRoot"] = "/data",
            ["Trainer__QueueCapacity"] = "3",
            ["Trainer__AuthToken"] = ServiceSettings.SecretPlaceholder,
            ["Inference__RepositoryPath"] = "/models",
            ["Inference__Pull__TrainerAddress"] = "http://recommender-trainer:50051",
            ["Inference__Pull__DownloadTimeout"] = "00:10:00",
        }, problems, "test");

        Assert.Empty(problems);
        Assert.Equal(new TrainerView("/models", "/data", null), bound.Trainer);
        Assert.Equal("http://recommender-trainer:50051", bound.PullTrainerAddress);

        // Limits only the real classes know: JobOptions' queue range, PullOptions' message-size range,
        // and a name that is in neither trainer class.
        ServiceSettings.Bind(new Dictionary<string, string>
        {
            ["Trainer__RepositoryPath"] = "/models",
            ["Trainer__DataRoot"] = "/data",
            ["Trainer__QueueCapacity"] = "0",
            ["Trainer__RequireAuthentication"] = "false",
            ["Trainer__QueueSize"] = "3",
            ["Inference__RepositoryPath"] = "/models",
            ["Inference__Pull__MaxReceiveMessageBytes"] = "10",
        }, problems, "test");

        Assert.Contains(problems, p => p.Contains("QueueCapacity", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MaxReceiveMessageBytes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Trainer__QueueSize is not a setting of the service", StringComparison.Ordinal));
        Assert.Equal(3, problems.Count);
    }

    // ---- planted mistakes: each must be reported, naming the thing that drifted ----------------

    [Theory]
    [InlineData("k8s/base/inference.env", "Inference__RepositoryPath=/models", "Inference__RepositryPath=/models", "RepositryPath")]
    [InlineData("k8s/base/inference.env", "Inference__Batching__MaxBatchPairs=4096", "Inference__Batching__MaxBatchPair=4096", "MaxBatchPair")]
    [InlineData("k8s/base/inference.env", "Inference__DefaultKind=Mf", "Inference__DefaultKind=Matrix", "DefaultKind")]
    [InlineData("k8s/base/inference.env", "Inference__MaxTopN=1000", "Inference__MaxTopN=0", "MaxTopN")]
    [InlineData("k8s/base/endpoints.env", "Endpoints__GrpcPort=50051", "Endpoints__GrpcPorts=50051", "GrpcPorts")]
    [InlineData("k8s/base/trainer.env", "Trainer__DataRoot=/data", "Trainer__DataDir=/data", "Trainer__DataDir")]
    [InlineData("k8s/base/trainer.env", "Trainer__QueueCapacity=8", "Trainer__QueueCapacity=eight", "QueueCapacity")]
    [InlineData("k8s/overlays/gpu/kustomization.yaml", "Inference__ExecutionProvider=Cuda", "Inference__ExecutionProvider=Gpu", "ExecutionProvider")]
    [InlineData("k8s/components/pull-from-trainer/kustomization.yaml", "Inference__Pull__TrainerAddress=http://recommender-trainer:50051", "Inference__Pull__TrainerAddress=http://recommender-trainer:9090", "Pull__TrainerAddress")]
    [InlineData("k8s/components/pull-from-trainer/kustomization.yaml", "Inference__Pull__Interval=00:00:30", "Inference__Pull__Every=00:00:30", "Pull__Every")]
    public void Env_drift_is_caught(string file, string good, string bad, string expected) =>
        AssertPlantedMistakeCaught(file, good, bad, expected);

    [Theory]
    [InlineData("k8s/base/inference-deployment.yaml", "containerPort: 50051", "containerPort: 50052", "container port grpc")]
    [InlineData("k8s/base/trainer-deployment.yaml", "containerPort: 9090", "containerPort: 9091", "container port metrics")]
    [InlineData("k8s/base/inference-deployment.yaml", "          readinessProbe:\n            grpc:\n              port: 50051", "          readinessProbe:\n            grpc:\n              port: 9090", "readinessProbe.grpc.port")]
    [InlineData("k8s/base/inference-deployment.yaml", "          livenessProbe:\n            grpc:\n              port: 50051\n              service: liveness", "          livenessProbe:\n            grpc:\n              port: 50051\n              service: recommender.v1.InferenceService", "livenessProbe.grpc.service")]
    [InlineData("k8s/base/inference-deployment.yaml", "          readinessProbe:\n            grpc:\n              port: 50051", "          readinessProbe:\n            grpc:\n              port: 50051\n              service: liveness", "readinessProbe must use the readiness service")]
    [InlineData("k8s/base/inference-deployment.yaml", "          startupProbe:\n            grpc:", "          startupProbe:\n            tcpSocket:", "startupProbe is not a native gRPC probe")]
    [InlineData("k8s/base/inference-deployment.yaml", "prometheus.io/port: \"9090\"", "prometheus.io/port: \"8080\"", "prometheus.io/port")]
    [InlineData("k8s/base/inference-services.yaml", "      targetPort: grpc", "      targetPort: http", "targets 'http'")]
    [InlineData("k8s/base/network-policies.yaml", "        - port: 9090", "        - port: 9100", "opens port 9100")]
    [InlineData("k8s/base/network-policies.yaml", "        - port: 50051", "        - port: 50052", "opens port 50052")]
    public void Port_and_probe_drift_is_caught(string file, string good, string bad, string expected) =>
        AssertPlantedMistakeCaught(file, good, bad, expected);

    [Theory]
    [InlineData("k8s/base/inference-deployment.yaml", "              mountPath: /models", "              mountPath: /model", "Inference__RepositoryPath '/models' is not on any volumeMount")]
    [InlineData("k8s/base/trainer-deployment.yaml", "              mountPath: /data", "              mountPath: /datasets", "Trainer__DataRoot '/data'")]
    [InlineData("k8s/base/trainer-deployment.yaml", "              mountPath: /tmp", "              mountPath: /scratch", "/tmp (TMPDIR)")]
    [InlineData("k8s/base/trainer-deployment.yaml", "            - name: models\n              mountPath: /models", "            - name: models\n              mountPath: /models\n              readOnly: true", "must be writable")]
    [InlineData("k8s/components/pull-from-trainer/inference-pull-patch.yaml", "readOnly: false", "readOnly: true", "must be writable")]
    [InlineData("k8s/base/inference-deployment.yaml", "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds 30")]
    [InlineData("k8s/base/inference-deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem")]
    [InlineData("k8s/base/trainer-deployment.yaml", "runAsUser: 1654", "runAsUser: 1000", "differs from the image's USER 1654")]
    [InlineData("k8s/overlays/gpu/kustomization.yaml", "newName: recommender/inference-gpu", "newName: recommender/inference", "requests a GPU but runs the inference image")]
    [InlineData("k8s/base/training-cronjob.yaml", "recommender-trainer:50051", "recommender-trainer:50052", "is not a Service port that reaches the trainer")]
    [InlineData("k8s/base/training-cronjob.yaml", "recommender.v1.TrainerService/StartTraining", "recommender.v1.TrainerService/StartTrainingJob", "StartTrainingJob")]
    public void Path_security_and_wiring_drift_is_caught(string file, string good, string bad, string expected) =>
        AssertPlantedMistakeCaught(file, good, bad, expected);

    [Theory]
    [InlineData("EXPOSE 50051 9090", "EXPOSE 50052 9090", "does not EXPOSE the gRPC port 50051")]
    [InlineData("    Inference__RepositoryPath=/models \\\n    Inference__ExecutionProvider=Cpu", "    Inference__RepositoryPath=/srv/models \\\n    Inference__ExecutionProvider=Cpu", "image's default is '/srv/models'")]
    [InlineData("    Inference__ExecutionProvider=Cpu", "    Inference__ExecutionProviders=Cpu", "ExecutionProviders")]
    [InlineData("ENTRYPOINT [\"dotnet\", \"/app/Recommender.InferenceService.dll\"]", "ENTRYPOINT [\"dotnet\", \"/app/Recommender.Inference.dll\"]", "does not run Recommender.InferenceService")]
    public void Dockerfile_drift_against_the_manifests_is_caught(string good, string bad, string expected) =>
        AssertPlantedMistakeCaught("Dockerfile", good, bad, expected);

    [Theory]
    [InlineData("COPY src/Recommender.Serving/Recommender.Serving.csproj src/Recommender.Serving/\n", "", "src/Recommender.Serving/Recommender.Serving.csproj is not copied before `dotnet restore")]
    [InlineData("COPY build/ build/\n", "", "build is not copied before")]
    [InlineData("COPY global.json Directory.Build.props", "COPY global.json Directory.Build.prop", "COPY source Directory.Build.prop does not exist")]
    [InlineData("ARG CUDA_RUNTIME_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04", "ARG CUDA_RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04", "CUDA 13 + cuDNN 9")]
    [InlineData("USER 1654:1654\nEXPOSE 50051 9090\nVOLUME [\"/models\", \"/data\", \"/tmp\"]", "USER app\nEXPOSE 50051 9090\nVOLUME [\"/models\", \"/data\", \"/tmp\"]", "must set a numeric USER")]
    public void Dockerfile_drift_against_the_repository_is_caught(string good, string bad, string expected)
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace("Dockerfile", good, bad);
        var dockerfile = DockerfileModel.Load(copy.PathOf("Dockerfile"));
        var problems = DockerfileChecks.Check(dockerfile, copy.Root).ToList();
        foreach (var overlay in OverlayNames)
        {
            problems.AddRange(DeploymentDrift.CheckOverlay(overlay, KubeObjects.Render(copy.PathOf($"k8s/overlays/{overlay}")), dockerfile, copy.Root));
        }

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"expected a problem containing '{expected}', got:\n{string.Join('\n', problems)}");
    }

    private static List<string> CheckOverlay(string root, string overlay)
    {
        var dockerfile = DockerfileModel.Load(Path.Combine(root, "Dockerfile"));
        var objects = KubeObjects.Render(Path.Combine(root, "k8s", "overlays", overlay));
        return [.. DeploymentDrift.CheckOverlay(overlay, objects, dockerfile, root)];
    }

    private static void AssertPlantedMistakeCaught(string file, string good, string bad, string expected, int expectedCount = -1)
    {
        using var copy = RepositoryFiles.CopyDeploymentFiles();
        copy.Replace(file, good, bad, expectedCount);
        var problems = OverlayNames.SelectMany(o => CheckOverlay(copy.Root, o)).ToList();
        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"planted '{bad}' in {file}: expected a problem containing '{expected}', got:\n{string.Join('\n', problems)}");
    }
}
