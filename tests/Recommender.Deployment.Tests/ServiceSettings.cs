using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Recommender.Hosting;
using Recommender.Serving;

namespace Recommender.Deployment.Tests;

/// <summary>
/// Binds environment variables exactly as the hosts do (configuration sections from
/// SECTION__KEY names) and reports names that match no options property, values that do not
/// convert, and values that fail the options' validation attributes.
/// </summary>
internal static class ServiceSettings
{
    /// <summary>
    /// PENDING (remove when merged): the trainer host (Recommender.TrainerService.TrainerOptions,
    /// section "Trainer") is being written on another branch. Until its project is in src/, the
    /// trainer's variables are checked against this list of names and value types from the
    /// services' configuration spec. Once the project exists, the test project references it
    /// (see the csproj) and the real options class is bound instead.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> PendingTrainerSettings = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        ["RepositoryPath"] = typeof(string),
        ["DataRoot"] = typeof(string),
        ["JobsPath"] = typeof(string),
        ["QueueCapacity"] = typeof(int),
        ["AuthToken"] = typeof(string),
        ["RequireAuthentication"] = typeof(bool),
    };

    /// <summary>
    /// PENDING (remove when merged): the pull path (Inference:Pull:TrainerAddress, :Interval) comes
    /// with the trainer branch. While InferenceOptions has no Pull property these names and types
    /// are checked; once it has one, the real property is bound.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> PendingPullSettings = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        ["TrainerAddress"] = typeof(string),
        ["Interval"] = typeof(TimeSpan),
        ["Token"] = typeof(string),
        ["AllowTokenOverInsecureChannel"] = typeof(bool),
    };

    public static bool InferenceHasPullOptions => typeof(InferenceOptions).GetProperty("Pull") is not null;

    /// <summary>The options a host would see for these variables (values from Secrets are given as placeholders).</summary>
    public static Bound Bind(IReadOnlyDictionary<string, string> environment, ICollection<string> problems, string where)
    {
        var data = environment
            .Where(kv => kv.Key.Contains("__", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);

        var endpoints = BindSection<EndpointOptions>(data, EndpointOptions.Section, problems, where);

        InferenceOptions? inference = null;
        string? pullAddress = null;
        if (HasSection(data, InferenceOptions.Section))
        {
            var pullPrefix = $"{InferenceOptions.Section}:Pull:";
            if (!InferenceHasPullOptions)
            {
                foreach (var key in data.Keys.Where(k => k.StartsWith(pullPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    CheckPending(key, key[pullPrefix.Length..], data[key], PendingPullSettings, problems, where);
                    data.Remove(key);
                }
            }

            pullAddress = environment.FirstOrDefault(kv => kv.Key.Equals("Inference__Pull__TrainerAddress", StringComparison.OrdinalIgnoreCase)).Value;
            inference = BindSection<InferenceOptions>(data, InferenceOptions.Section, problems, where);
        }

        TrainerView? trainer = null;
        if (HasSection(data, "Trainer"))
        {
            trainer = BindTrainer(data, problems, where);
        }

        return new Bound(endpoints, inference, string.IsNullOrEmpty(pullAddress) ? null : pullAddress, trainer);
    }

    private static bool HasSection(Dictionary<string, string?> data, string section) =>
        data.Keys.Any(k => k.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase));

    private static T BindSection<T>(Dictionary<string, string?> data, string section, ICollection<string> problems, string where)
        where T : new() =>
        (T)BindSection(typeof(T), data, section, problems, where);

    private static object BindSection(Type type, Dictionary<string, string?> data, string section, ICollection<string> problems, string where)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(data).Build();
        var options = Activator.CreateInstance(type)!;
        try
        {
            configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            foreach (var key in data.Keys.Where(k => k.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)))
            {
                var property = key[(section.Length + 1)..].Split(':')[0];
                if (type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is null)
                {
                    problems.Add($"{where}: {key.Replace(":", "__", StringComparison.Ordinal)} is not a setting of the service ({type.FullName} has no property {property})");
                }
            }

            problems.Add($"{where}: section {section}: {Flatten(e)} (environment variable names are {section}__<Property> of {type.FullName})");

            // Bind what can be bound, so that later checks see the real values.
            options = Activator.CreateInstance(type)!;
            try
            {
                configuration.GetSection(section).Bind(options);
            }
            catch (InvalidOperationException)
            {
                // already reported
            }

            return options;
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                problems.Add($"{where}: section {section}: {result.ErrorMessage}");
            }
        }

        return options;
    }

    /// <summary>
    /// Binds one section that several options classes share (as the host binds each of them to it):
    /// a key is unknown when no class has its property; each class then binds, converts and
    /// validates the keys that are its own.
    /// </summary>
    private static object[] BindShared(Type[] types, Dictionary<string, string?> data, string section, ICollection<string> problems, string where)
    {
        var prefix = section + ":";
        string Property(string key) => key[prefix.Length..].Split(':')[0];
        bool Has(Type type, string property) => type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not null;
        var keys = data.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var key in keys.Where(k => !types.Any(t => Has(t, Property(k)))))
        {
            problems.Add($"{where}: {key.Replace(":", "__", StringComparison.Ordinal)} is not a setting of the service " +
                $"(no property {Property(key)} in {string.Join(" or ", types.Select(t => t.FullName))})");
        }

        return [.. types.Select(type =>
        {
            var own = data.Where(kv => !kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || Has(type, Property(kv.Key)))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            return BindSection(type, own, section, problems, where);
        })];
    }

#if HAS_TRAINER_SERVICE
    /// <summary>The classes bound to the trainer's section "Trainer": the host's own settings and the job system's.</summary>
    public static readonly string[] TrainerOptionsTypes =
    [
        "Recommender.TrainerService.TrainerOptions, Recommender.TrainerService",
        "Recommender.Jobs.JobOptions, Recommender.Jobs",
    ];

    private static TrainerView BindTrainer(Dictionary<string, string?> data, ICollection<string> problems, string where)
    {
        var types = TrainerOptionsTypes.Select(name => Type.GetType(name)
            ?? throw new InvalidOperationException($"{name} not found: update ServiceSettings.TrainerOptionsTypes.")).ToArray();
        var bound = BindShared(types, data, "Trainer", problems, where);
        string? Get(string name) => bound.Select(o => o.GetType().GetProperty(name)?.GetValue(o)?.ToString()).FirstOrDefault(v => v is not null);
        return new TrainerView(Get("RepositoryPath"), Get("DataRoot"), Get("JobsPath"));
    }
#else
    private static TrainerView BindTrainer(Dictionary<string, string?> data, ICollection<string> problems, string where)
    {
        const string prefix = "Trainer:";
        foreach (var (key, value) in data.Where(kv => kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            CheckPending(key, key[prefix.Length..], value, PendingTrainerSettings, problems, where);
        }

        return new TrainerView(
            data.GetValueOrDefault("Trainer:RepositoryPath"),
            data.GetValueOrDefault("Trainer:DataRoot"),
            data.GetValueOrDefault("Trainer:JobsPath"));
    }
#endif

    private static void CheckPending(string key, string name, string? value, IReadOnlyDictionary<string, Type> known, ICollection<string> problems, string where)
    {
        var variable = key.Replace(":", "__", StringComparison.Ordinal);
        if (!known.TryGetValue(name, out var type))
        {
            problems.Add($"{where}: {variable} is not a setting of the service (known: {string.Join(", ", known.Keys)})");
            return;
        }

        if (value is null || value == SecretPlaceholder)
        {
            return;
        }

        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
        {
            problems.Add($"{where}: {variable}='{value}' is not a valid {type.Name}");
        }
    }

    private static string Flatten(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            messages.Add(x.Message);
        }

        return string.Join(" -> ", messages);
    }

    /// <summary>The value given to variables that come from a Secret (unknown here).</summary>
    public const string SecretPlaceholder = "<from-secret>";
}

/// <summary>The settings a container's environment gives each host.</summary>
internal sealed record Bound(EndpointOptions Endpoints, InferenceOptions? Inference, string? PullTrainerAddress, TrainerView? Trainer);

/// <summary>The trainer settings the drift checks use (paths).</summary>
internal sealed record TrainerView(string? RepositoryPath, string? DataRoot, string? JobsPath);
