using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recommender.Deployment.Tests;

/// <summary>
/// Checks that rendered manifests and the Dockerfile agree with the services' configuration:
/// setting names and values, ports, probes, Services, NetworkPolicies, mount paths, users,
/// shutdown timing and image targets. Each problem is one line naming the object and the field.
/// </summary>
internal static partial class DeploymentDrift
{
    /// <summary>Dockerfile target (= image name's last segment) → host assembly it runs.</summary>
    public static readonly IReadOnlyDictionary<string, string> Targets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["inference"] = "Recommender.InferenceService",
        ["inference-gpu"] = "Recommender.InferenceService",
        ["trainer"] = "Recommender.TrainerService",
    };

    private const string TrainerMethod = "recommender.v1.TrainerService/StartTraining";

    public static IReadOnlyList<string> CheckOverlay(string overlay, IReadOnlyList<JsonObject> objects, DockerfileModel dockerfile, string root)
    {
        var problems = new List<string>();
        var configMaps = objects.Where(o => o.Kind() == "ConfigMap").ToDictionary(o => o.Name(), o => o, StringComparer.Ordinal);
        var services = objects.Where(o => o.Kind() == "Service").ToList();
        var policies = objects.Where(o => o.Kind() == "NetworkPolicy").ToList();
        var pods = new List<PodView>();

        foreach (var workload in objects)
        {
            var template = workload.Kind() switch
            {
                "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => workload.Path("spec", "template") as JsonObject,
                "CronJob" => workload.Path("spec", "jobTemplate", "spec", "template") as JsonObject,
                _ => null,
            };
            if (template is null)
            {
                continue;
            }

            var where = $"{overlay}: {workload.Describe()}";
            CheckPodSecurity(template, where, problems);
            foreach (var container in template.Path("spec", "containers").Items())
            {
                var image = container.Str("image") ?? "";
                var target = ImageTarget(image);
                var cwhere = $"{where} container {container.Str("name")}";
                if (target is null)
                {
                    continue;
                }

                var env = EffectiveEnvironment(container, configMaps, cwhere, problems, out var secretRefs);
                var bound = ServiceSettings.Bind(env, problems, cwhere);
                var pod = new PodView(workload, template, container, target, bound, secretRefs);
                pods.Add(pod);
                CheckSectionsBelong(target, env, cwhere, problems);
                CheckPortsAndProbes(pod, cwhere, problems);
                CheckPathsAndVolumes(pod, cwhere, problems);
                CheckShutdown(pod, cwhere, problems);
                CheckImage(pod, dockerfile, cwhere, problems);
                CheckTarget(pod, cwhere, problems);
            }
        }

        foreach (var role in (string[])["inference", "trainer"])
        {
            if (!pods.Any(p => Role(p.Target) == role))
            {
                problems.Add($"{overlay}: no workload runs the {role} image");
            }
        }

        foreach (var pod in pods.Where(p => p.Workload.Kind() == "Deployment"))
        {
            CheckServices(overlay, pod, services, problems);
            CheckNetworkPolicies(overlay, pod, policies, problems);
        }

        CheckPullAddress(overlay, pods, services, problems);
        CheckTrainingCronJobs(overlay, objects, pods, services, root, problems);
        return problems;
    }

    // ---- environment ------------------------------------------------------------------------

    private static Dictionary<string, string> EffectiveEnvironment(JsonObject container, IReadOnlyDictionary<string, JsonObject> configMaps, string where, List<string> problems, out Dictionary<string, string> secretRefs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        secretRefs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.Path("envFrom").Items())
        {
            var name = source.Path("configMapRef", "name")?.GetValue<string>();
            if (name is null)
            {
                continue;
            }

            if (!configMaps.TryGetValue(name, out var map))
            {
                problems.Add($"{where}: envFrom ConfigMap {name} is not in the rendered manifests");
                continue;
            }

            foreach (var (key, value) in map.Path("data").StringMap())
            {
                env[key] = value;
            }
        }

        foreach (var item in container.Path("env").Items())
        {
            var name = item.Str("name") ?? "";
            var secret = item.Path("valueFrom", "secretKeyRef");
            if (secret is not null)
            {
                env[name] = ServiceSettings.SecretPlaceholder;
                secretRefs[name] = $"{secret.Str("name")}/{secret.Str("key")}";
            }
            else
            {
                env[name] = item.Str("value") ?? "";
            }
        }

        return env;
    }

    private static void CheckSectionsBelong(string target, Dictionary<string, string> env, string where, List<string> problems)
    {
        var foreign = Role(target) == "inference" ? "Trainer__" : "Inference__";
        foreach (var key in env.Keys.Where(k => k.StartsWith(foreign, StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"{where}: {key} is a setting of the other service");
        }
    }

    // ---- ports, probes ----------------------------------------------------------------------

    private static void CheckPortsAndProbes(PodView pod, string where, List<string> problems)
    {
        var grpc = pod.Bound.Endpoints.GrpcPort;
        var metrics = pod.Bound.Endpoints.MetricsPort;
        if (grpc == 0 || metrics == 0)
        {
            problems.Add($"{where}: Endpoints ports must be fixed in a cluster (got gRPC {grpc}, metrics {metrics})");
        }

        var ports = pod.Container.Path("ports").Items().ToList();
        ExpectContainerPort(ports, "grpc", grpc, where, problems);
        ExpectContainerPort(ports, "metrics", metrics, where, problems);
        foreach (var port in ports)
        {
            var number = Int(port.Str("containerPort"));
            if (number != grpc && number != metrics)
            {
                problems.Add($"{where}: containerPort {number} ({port.Str("name")}) is neither Endpoints__GrpcPort ({grpc}) nor Endpoints__MetricsPort ({metrics})");
            }
        }

        if (pod.Workload.Kind() != "Deployment")
        {
            return;
        }

        foreach (var probeName in (string[])["startupProbe", "readinessProbe", "livenessProbe"])
        {
            var probe = pod.Container.Path(probeName);
            if (probe is null)
            {
                problems.Add($"{where}: no {probeName}");
                continue;
            }

            var probeGrpc = probe.Path("grpc");
            if (probeGrpc is null)
            {
                problems.Add($"{where}: {probeName} is not a native gRPC probe (grpc.health.v1)");
                continue;
            }

            var port = Int(probeGrpc.Str("port"));
            if (port != grpc)
            {
                problems.Add($"{where}: {probeName}.grpc.port {port} is not the gRPC port {grpc}");
            }

            // The hosts map two health service names: "" (readiness: model loaded, not draining)
            // and "liveness" (the process answers). Readiness must not use liveness.
            var service = probeGrpc.Str("service") ?? "";
            if (service != "" && service != Recommender.Hosting.GrpcHostExtensions.LivenessService)
            {
                problems.Add($"{where}: {probeName}.grpc.service '{service}' is not a health service the host maps (\"\" or \"{Recommender.Hosting.GrpcHostExtensions.LivenessService}\")");
            }
            else if (probeName == "readinessProbe" && service != "")
            {
                problems.Add($"{where}: readinessProbe must use the readiness service \"\", not '{service}'");
            }
        }

        var annotations = pod.Template.Path("metadata", "annotations");
        if (annotations.Str("prometheus.io/scrape") != "true")
        {
            problems.Add($"{where}: pod template lacks prometheus.io/scrape: \"true\"");
        }

        if (Int(annotations.Str("prometheus.io/port")) != metrics)
        {
            problems.Add($"{where}: prometheus.io/port '{annotations.Str("prometheus.io/port")}' is not the metrics port {metrics}");
        }

        if (annotations.Str("prometheus.io/path") != "/metrics")
        {
            problems.Add($"{where}: prometheus.io/path '{annotations.Str("prometheus.io/path")}' is not /metrics");
        }
    }

    private static void ExpectContainerPort(List<JsonObject> ports, string name, int expected, string where, List<string> problems)
    {
        var port = ports.FirstOrDefault(p => p.Str("name") == name);
        if (port is null)
        {
            problems.Add($"{where}: no container port named {name}");
        }
        else if (Int(port.Str("containerPort")) != expected)
        {
            problems.Add($"{where}: container port {name} is {port.Str("containerPort")}, the service listens on {expected}");
        }
    }

    // ---- paths and volumes --------------------------------------------------------------------

    private static void CheckPathsAndVolumes(PodView pod, string where, List<string> problems)
    {
        var mounts = pod.Container.Path("volumeMounts").Items().ToList();
        var volumes = pod.Template.Path("spec", "volumes").Items().ToDictionary(v => v.Str("name") ?? "", StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            if (!volumes.ContainsKey(mount.Str("name") ?? ""))
            {
                problems.Add($"{where}: volumeMount {mount.Str("name")} has no volume");
            }
        }

        var writable = new List<(string Setting, string? Path)>();
        if (pod.Bound.Inference is { } inference)
        {
            // The inference host writes into its repository only when it pulls from the trainer.
            var pulls = pod.Bound.PullTrainerAddress is not null;
            ExpectMounted("Inference__RepositoryPath", inference.RepositoryPath, mustWrite: pulls, mounts, where, problems);
        }

        if (pod.Bound.Trainer is { } trainer)
        {
            ExpectMounted("Trainer__RepositoryPath", trainer.RepositoryPath, mustWrite: true, mounts, where, problems);
            ExpectMounted("Trainer__DataRoot", trainer.DataRoot, mustWrite: true, mounts, where, problems);
            if (!string.IsNullOrEmpty(trainer.JobsPath))
            {
                ExpectMounted("Trainer__JobsPath", trainer.JobsPath, mustWrite: true, mounts, where, problems);
            }
        }

        if (!string.IsNullOrEmpty(pod.Bound.Endpoints.TlsCertificatePath))
        {
            ExpectMounted("Endpoints__TlsCertificatePath", pod.Bound.Endpoints.TlsCertificatePath, mustWrite: false, mounts, where, problems);
        }

        // Read-only root file system: /tmp must be a volume.
        ExpectMounted("/tmp (TMPDIR)", "/tmp", mustWrite: true, mounts, where, problems);
    }

    private static void ExpectMounted(string setting, string? path, bool mustWrite, List<JsonObject> mounts, string where, List<string> problems)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith('/'))
        {
            problems.Add($"{where}: {setting} '{path}' must be an absolute path on a mounted volume (the root file system is read-only)");
            return;
        }

        var mount = mounts
            .Where(m => IsUnder(path, m.Str("mountPath") ?? ""))
            .OrderByDescending(m => (m.Str("mountPath") ?? "").Length)
            .FirstOrDefault();
        if (mount is null)
        {
            problems.Add($"{where}: {setting} '{path}' is not on any volumeMount (mounts: {string.Join(", ", mounts.Select(m => m.Str("mountPath")))})");
        }
        else if (mustWrite && mount.Str("readOnly") == "true")
        {
            problems.Add($"{where}: {setting} '{path}' must be writable but volumeMount {mount.Str("name")} is readOnly");
        }
    }

    private static bool IsUnder(string path, string mountPath)
    {
        var p = path.TrimEnd('/');
        var m = mountPath.TrimEnd('/');
        return m.Length > 0 && (p == m || p.StartsWith(m + "/", StringComparison.Ordinal));
    }

    // ---- shutdown, security -----------------------------------------------------------------

    private static void CheckShutdown(PodView pod, string where, List<string> problems)
    {
        if (pod.Workload.Kind() != "Deployment")
        {
            return;
        }

        var grace = Int(pod.Template.Path("spec").Str("terminationGracePeriodSeconds") ?? "30");
        var needed = (pod.Bound.Endpoints.DrainDelay + pod.Bound.Endpoints.ShutdownTimeout).TotalSeconds;
        if (grace <= needed)
        {
            problems.Add($"{where}: terminationGracePeriodSeconds {grace} must exceed DrainDelay + ShutdownTimeout ({needed} s) or Kubernetes kills in-flight calls");
        }
    }

    private static void CheckPodSecurity(JsonObject template, string where, List<string> problems)
    {
        var podContext = template.Path("spec", "securityContext");
        foreach (var container in template.Path("spec", "containers").Items())
        {
            var c = container.Path("securityContext");
            var cwhere = $"{where} container {container.Str("name")}";
            if ((c.Str("runAsNonRoot") ?? podContext.Str("runAsNonRoot")) != "true")
            {
                problems.Add($"{cwhere}: runAsNonRoot is not true");
            }

            if (c.Str("allowPrivilegeEscalation") != "false")
            {
                problems.Add($"{cwhere}: allowPrivilegeEscalation is not false");
            }

            if (c.Str("readOnlyRootFilesystem") != "true")
            {
                problems.Add($"{cwhere}: readOnlyRootFilesystem is not true");
            }

            if (!c.Path("capabilities", "drop").AsStrings().Contains("ALL"))
            {
                problems.Add($"{cwhere}: capabilities.drop lacks ALL");
            }

            var seccomp = c.Path("seccompProfile").Str("type") ?? podContext.Path("seccompProfile").Str("type");
            if (seccomp != "RuntimeDefault")
            {
                problems.Add($"{cwhere}: seccompProfile.type is '{seccomp}', not RuntimeDefault");
            }

            var user = c.Str("runAsUser") ?? podContext.Str("runAsUser");
            if (user is null || Int(user) == 0)
            {
                problems.Add($"{cwhere}: runAsUser must be a non-zero numeric UID (got '{user}')");
            }

            if (container.Path("resources", "requests") is null || container.Path("resources", "limits", "memory") is null)
            {
                problems.Add($"{cwhere}: needs resource requests and a memory limit");
            }
        }
    }

    // ---- image and Dockerfile ---------------------------------------------------------------

    private static void CheckImage(PodView pod, DockerfileModel dockerfile, string where, List<string> problems)
    {
        var stage = dockerfile.Stage(pod.Target);
        if (stage is null)
        {
            problems.Add($"{where}: image {pod.Container.Str("image")} names Dockerfile target '{pod.Target}', which does not exist");
            return;
        }

        var exposed = stage.Arguments("EXPOSE").SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => Int(p.Split('/')[0])).ToHashSet();
        foreach (var (name, port) in (ReadOnlySpan<(string, int)>)[("gRPC", pod.Bound.Endpoints.GrpcPort), ("metrics", pod.Bound.Endpoints.MetricsPort)])
        {
            if (!exposed.Contains(port))
            {
                problems.Add($"{where}: Dockerfile target {pod.Target} does not EXPOSE the {name} port {port} (EXPOSE {string.Join(" ", exposed)})");
            }
        }

        var user = stage.Arguments("USER").LastOrDefault()?.Split(':')[0];
        var runAs = pod.Container.Path("securityContext").Str("runAsUser") ?? pod.Template.Path("spec", "securityContext").Str("runAsUser");
        if (user is null || !user.All(char.IsAsciiDigit))
        {
            problems.Add($"{where}: Dockerfile target {pod.Target} must set a numeric USER (got '{user}')");
        }
        else if (runAs is not null && runAs != user)
        {
            problems.Add($"{where}: runAsUser {runAs} differs from the image's USER {user} (volume ownership, fsGroup)");
        }

        // The image's own defaults must agree with what the manifests mount.
        var imageEnv = stage.Env;
        // Secrets are never baked into an image: the token arrives from the Secret at run time,
        // so the image's defaults are checked as if it had been given one.
        var runtimeEnv = new Dictionary<string, string>(imageEnv, StringComparer.Ordinal);
        if (pod.Target == "trainer")
        {
            runtimeEnv.TryAdd("Trainer__AuthToken", "from-the-secret");
        }

        ServiceSettings.Bind(runtimeEnv, problems, $"Dockerfile target {pod.Target} ENV");
        foreach (var (variable, manifestValue) in (ReadOnlySpan<(string, string?)>)[
            ("Inference__RepositoryPath", pod.Bound.Inference?.RepositoryPath),
            ("Trainer__RepositoryPath", pod.Bound.Trainer?.RepositoryPath),
            ("Trainer__DataRoot", pod.Bound.Trainer?.DataRoot)])
        {
            if (manifestValue is not null && imageEnv.TryGetValue(variable, out var imageValue) && imageValue != manifestValue)
            {
                problems.Add($"{where}: {variable} is '{manifestValue}' but the image's default is '{imageValue}'");
            }
        }

        var assembly = Targets[pod.Target];
        var entrypoint = stage.Arguments("ENTRYPOINT").LastOrDefault() ?? "";
        if (!entrypoint.Contains($"/{assembly}.dll\"", StringComparison.Ordinal) && !entrypoint.Contains($"/{assembly}\"", StringComparison.Ordinal))
        {
            problems.Add($"{where}: Dockerfile target {pod.Target} ENTRYPOINT {entrypoint} does not run {assembly}");
        }
    }

    private static void CheckTarget(PodView pod, string where, List<string> problems)
    {
        var limits = pod.Container.Path("resources", "limits");
        var gpus = limits.Str("nvidia.com/gpu");
        var provider = pod.Bound.Inference?.ExecutionProvider;
        if (pod.Target == "inference-gpu")
        {
            if (provider != Recommender.Serving.ExecutionProviderPreference.Cuda)
            {
                problems.Add($"{where}: the GPU image runs with Inference__ExecutionProvider={provider}; use Cuda so a missing GPU fails loudly");
            }

            if (gpus is null || Int(gpus) < 1)
            {
                problems.Add($"{where}: the GPU image needs resources.limits nvidia.com/gpu");
            }
        }
        else if (gpus is not null)
        {
            problems.Add($"{where}: requests a GPU but runs the {pod.Target} image");
        }
        else if (Role(pod.Target) == "inference" && provider == Recommender.Serving.ExecutionProviderPreference.Cuda)
        {
            problems.Add($"{where}: Inference__ExecutionProvider=Cuda on the CPU image (it carries no CUDA provider)");
        }
    }

    // ---- Services and NetworkPolicies ---------------------------------------------------------

    private static void CheckServices(string overlay, PodView pod, List<JsonObject> services, List<string> problems)
    {
        var labels = pod.Template.Path("metadata", "labels").StringMap().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var matching = services.Where(s => Selects(s.Path("spec", "selector"), labels)).ToList();
        var grpc = pod.Bound.Endpoints.GrpcPort;
        foreach (var service in matching)
        {
            var where = $"{overlay}: {service.Describe()}";
            foreach (var port in service.Path("spec", "ports").Items())
            {
                var target = ResolveTargetPort(port, pod.Container);
                if (target is null)
                {
                    problems.Add($"{where}: port {port.Str("name")} targets '{port.Str("targetPort")}', which is no port of {pod.Container.Str("name")}");
                }
                else if (port.Str("name") == "grpc" && target != grpc)
                {
                    problems.Add($"{where}: port grpc targets {target}, the gRPC port is {grpc}");
                }
            }
        }

        if (Role(pod.Target) == "inference")
        {
            ExpectService(overlay, matching, headless: true, grpc, pod, problems);
            ExpectService(overlay, matching, headless: false, grpc, pod, problems);
        }
        else
        {
            ExpectService(overlay, matching, headless: false, grpc, pod, problems);
        }
    }

    private static void ExpectService(string overlay, List<JsonObject> matching, bool headless, int grpc, PodView pod, List<string> problems)
    {
        var found = matching.Any(s => (s.Path("spec").Str("clusterIP") == "None") == headless
            && s.Path("spec", "ports").Items().Any(p => ResolveTargetPort(p, pod.Container) == grpc));
        if (!found)
        {
            problems.Add($"{overlay}: no {(headless ? "headless" : "ClusterIP")} Service reaches the gRPC port {grpc} of {pod.Workload.Describe()}");
        }
    }

    private static int? ResolveTargetPort(JsonObject servicePort, JsonObject container)
    {
        var target = servicePort.Str("targetPort") ?? servicePort.Str("port");
        if (target is null)
        {
            return null;
        }

        var ports = container.Path("ports").Items().ToList();
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return ports.Any(p => Int(p.Str("containerPort")) == number) ? number : null;
        }

        var named = ports.FirstOrDefault(p => p.Str("name") == target);
        return named is null ? null : Int(named.Str("containerPort"));
    }

    private static void CheckNetworkPolicies(string overlay, PodView pod, List<JsonObject> policies, List<string> problems)
    {
        var labels = pod.Template.Path("metadata", "labels").StringMap().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var grpc = pod.Bound.Endpoints.GrpcPort;
        var metrics = pod.Bound.Endpoints.MetricsPort;
        var containerPortNames = pod.Container.Path("ports").Items().ToDictionary(p => p.Str("name") ?? "", p => Int(p.Str("containerPort")), StringComparer.Ordinal);
        var allowed = new HashSet<int>();
        foreach (var policy in policies.Where(p => Selects(p.Path("spec", "podSelector"), labels)))
        {
            foreach (var rule in policy.Path("spec", "ingress").Items())
            {
                foreach (var port in rule.Path("ports").Items())
                {
                    var value = port.Str("port");
                    int? number = value is null ? null
                        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                        : containerPortNames.TryGetValue(value, out var byName) ? byName : -1;
                    if (number is null)
                    {
                        continue;
                    }

                    if (number != grpc && number != metrics)
                    {
                        problems.Add($"{overlay}: {policy.Describe()} opens port {value} on {pod.Workload.Describe()}, which listens on {grpc} and {metrics}");
                    }

                    allowed.Add(number.Value);
                }
            }
        }

        if (!allowed.Contains(grpc))
        {
            problems.Add($"{overlay}: no NetworkPolicy admits gRPC clients on port {grpc} of {pod.Workload.Describe()}");
        }

        if (!allowed.Contains(metrics))
        {
            problems.Add($"{overlay}: no NetworkPolicy admits Prometheus on port {metrics} of {pod.Workload.Describe()}");
        }
    }

    private static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is not JsonObject)
        {
            return false;
        }

        // A Service selector is a plain map; a LabelSelector has matchLabels/matchExpressions.
        var isLabelSelector = selector.Path("matchLabels") is not null || selector.Path("matchExpressions") is not null || ((JsonObject)selector).Count == 0;
        var matchLabels = isLabelSelector ? selector.Path("matchLabels").StringMap() : selector.StringMap();
        if (!matchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return false;
        }

        foreach (var expression in selector.Path("matchExpressions").Items())
        {
            var key = expression.Str("key") ?? "";
            var values = expression.Path("values").AsStrings().ToHashSet(StringComparer.Ordinal);
            var has = labels.TryGetValue(key, out var value);
            var ok = expression.Str("operator") switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    // ---- trainer callers ----------------------------------------------------------------------

    private static void CheckPullAddress(string overlay, List<PodView> pods, List<JsonObject> services, List<string> problems)
    {
        var trainer = pods.FirstOrDefault(p => p.Target == "trainer" && p.Workload.Kind() == "Deployment");
        foreach (var pod in pods.Where(p => p.Bound.PullTrainerAddress is not null))
        {
            var where = $"{overlay}: {pod.Workload.Describe()}";
            if (!Uri.TryCreate(pod.Bound.PullTrainerAddress, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                problems.Add($"{where}: Inference__Pull__TrainerAddress '{pod.Bound.PullTrainerAddress}' is not an http(s) URL");
                continue;
            }

            if (trainer is null || !ReachesTrainer(uri.Host, uri.Port, trainer, services))
            {
                problems.Add($"{where}: Inference__Pull__TrainerAddress {uri} is not a Service port that reaches the trainer's gRPC port");
            }
        }
    }

    private static void CheckTrainingCronJobs(string overlay, IReadOnlyList<JsonObject> objects, List<PodView> pods, List<JsonObject> services, string root, List<string> problems)
    {
        var trainer = pods.FirstOrDefault(p => p.Target == "trainer" && p.Workload.Kind() == "Deployment");
        var cronJobs = objects.Where(o => o.Kind() == "CronJob").ToList();
        if (cronJobs.Count == 0)
        {
            problems.Add($"{overlay}: no training CronJob");
        }

        var proto = File.ReadAllText(Path.Combine(root, "protos", "recommender", "v1", "trainer.proto"));
        foreach (var cronJob in cronJobs)
        {
            var where = $"{overlay}: {cronJob.Describe()}";
            foreach (var container in cronJob.Path("spec", "jobTemplate", "spec", "template", "spec", "containers").Items())
            {
                var args = container.Path("command").AsStrings().Concat(container.Path("args").AsStrings()).ToList();
                var method = args.FirstOrDefault(a => a.StartsWith("recommender.v1.", StringComparison.Ordinal));
                if (method != TrainerMethod)
                {
                    problems.Add($"{where}: calls '{method}', expected {TrainerMethod}");
                }
                else if (!ProtoRpc().IsMatch(proto))
                {
                    problems.Add($"{where}: {TrainerMethod} is not in protos/recommender/v1/trainer.proto");
                }

                var address = args.Select(a => HostPort().Match(a)).FirstOrDefault(m => m.Success);
                if (address is null || trainer is null
                    || !ReachesTrainer(address.Groups["host"].Value, Int(address.Groups["port"].Value), trainer, services))
                {
                    problems.Add($"{where}: its address ({address?.Value}) is not a Service port that reaches the trainer's gRPC port");
                }

                if (trainer is not null && trainer.SecretRefs.TryGetValue("Trainer__AuthToken", out var tokenRef))
                {
                    var cronSecret = container.Path("env").Items().Select(e => e.Path("valueFrom", "secretKeyRef")).OfType<JsonObject>()
                        .Select(s => $"{s.Str("name")}/{s.Str("key")}").ToList();
                    if (!cronSecret.Contains(tokenRef))
                    {
                        problems.Add($"{where}: does not read the trainer's token ({tokenRef})");
                    }
                }
            }
        }
    }

    private static bool ReachesTrainer(string host, int port, PodView trainer, List<JsonObject> services)
    {
        var serviceName = host.Split('.')[0];
        var labels = trainer.Template.Path("metadata", "labels").StringMap().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var service = services.FirstOrDefault(s => s.Name() == serviceName && Selects(s.Path("spec", "selector"), labels));
        var servicePort = service?.Path("spec", "ports").Items().FirstOrDefault(p => Int(p.Str("port")) == port);
        return servicePort is not null && ResolveTargetPort(servicePort, trainer.Container) == trainer.Bound.Endpoints.GrpcPort;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// <summary>"registry/x/inference-gpu:1.0" → "inference-gpu"; null for images that are not ours.</summary>
    public static string? ImageTarget(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var lastSegment = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        var name = lastSegment.Split(':')[0];
        return Targets.ContainsKey(name) ? name : null;
    }

    private static string Role(string target) => target.StartsWith("inference", StringComparison.Ordinal) ? "inference" : "trainer";

    private static int Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private static IEnumerable<string> AsStrings(this JsonNode? node) =>
        node is JsonArray a ? a.OfType<JsonValue>().Select(v => v.GetValue<string>()) : [];

    [GeneratedRegex(@"service\s+TrainerService\s*\{[^}]*rpc\s+StartTraining\s*\(", RegexOptions.Singleline)]
    private static partial Regex ProtoRpc();

    [GeneratedRegex(@"^(?<host>[a-z0-9]([a-z0-9.-]*[a-z0-9])?):(?<port>[0-9]+)$")]
    private static partial Regex HostPort();

    private sealed record PodView(JsonObject Workload, JsonObject Template, JsonObject Container, string Target, Bound Bound, Dictionary<string, string> SecretRefs);
}
