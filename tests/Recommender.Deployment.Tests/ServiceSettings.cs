using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Recommender.Hosting;
using Recommender.InferenceService.Pull;
using Recommender.Jobs;
using Recommender.Serving;
using Recommender.TrainerService;

namespace Recommender.Deployment.Tests;

/// <summary>
/// Binds environment variables exactly as the hosts do (configuration sections from
/// SECTION__KEY names) and reports names that match no options property, values that do not
/// convert, and values that fail the options' validation attributes.
/// </summary>
internal static class ServiceSettings
{
    /// <summary>The options a host would see for these variables (values from Secrets are given as placeholders).</summary>
    public static Bound Bind(IReadOnlyDictionary<string, string> environment, ICollection<string> problems, string where)
    {
        var data = environment
            .Where(kv => kv.Key.Contains("__", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);

        var endpoints = BindSection<EndpointOptions>(data, EndpointOptions.Section, problems, where);

        InferenceOptions? inference = null;
        PullOptions? pull = null;
        if (HasSection(data, InferenceOptions.Section))
        {
            // Inference:Pull is its own options class (bound by the puller's registration), not a property of InferenceOptions.
            var pullPrefix = PullOptions.Section + ":";
            var pullData = data.Where(kv => kv.Key.StartsWith(pullPrefix, StringComparison.OrdinalIgnoreCase))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var key in pullData.Keys)
            {
                data.Remove(key);
            }

            pull = BindSection<PullOptions>(pullData, PullOptions.Section, problems, where);
            inference = BindSection<InferenceOptions>(data, InferenceOptions.Section, problems, where);
        }

        TrainerView? trainer = null;
        if (HasSection(data, TrainerOptions.Section))
        {
            trainer = BindTrainer(data, problems, where);
        }

        return new Bound(endpoints, inference, pull is { Enabled: true } ? pull.TrainerAddress : null, trainer);
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

    /// <summary>The trainer's section "Trainer" is bound by two classes: the host's own settings and the job system's.</summary>
    private static TrainerView BindTrainer(Dictionary<string, string?> data, ICollection<string> problems, string where)
    {
        var bound = BindShared([typeof(TrainerOptions), typeof(JobOptions)], data, TrainerOptions.Section, problems, where);
        var jobs = (JobOptions)bound[1];
        return new TrainerView(jobs.RepositoryPath, jobs.DataRoot, jobs.JobsPath);
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
