using System.Text.RegularExpressions;

namespace Recommender.Deployment.Tests;

/// <summary>One instruction of a Dockerfile, continuation lines joined.</summary>
internal sealed record DockerInstruction(int Line, string Keyword, string Arguments);

/// <summary>One build stage: FROM image [AS name] and the instructions after it.</summary>
internal sealed record DockerStage(string Name, string From, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>ENV key=value pairs of this stage (later ones win).</summary>
    public IReadOnlyDictionary<string, string> Env
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var args in Arguments("ENV"))
            {
                foreach (Match m in DockerfileModel.EnvPair().Matches(args))
                {
                    env[m.Groups["k"].Value] = m.Groups["v"].Value.Trim('"');
                }
            }

            return env;
        }
    }
}

/// <summary>A small Dockerfile reader: enough to compare stages, ports, users and paths.</summary>
internal sealed partial class DockerfileModel
{
    private DockerfileModel(IReadOnlyDictionary<string, string> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage? Stage(string name) => Stages.FirstOrDefault(s => s.Name == name);

    /// <summary>The stage and every stage it is built FROM (nearest first).</summary>
    public IEnumerable<DockerStage> Chain(DockerStage stage)
    {
        for (DockerStage? s = stage; s is not null; s = Stage(s.From))
        {
            yield return s;
        }
    }

    public static DockerfileModel Load(string path) => Parse(File.ReadAllText(path));

    public static DockerfileModel Parse(string text)
    {
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<(string Name, string From, List<DockerInstruction> Instructions)>();
        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                var m = FromLine().Match(instruction.Arguments);
                if (!m.Success)
                {
                    throw new FormatException($"Dockerfile line {instruction.Line}: cannot read FROM {instruction.Arguments}");
                }

                var image = ExpandArgs().Replace(m.Groups["image"].Value, a => globalArgs.GetValueOrDefault(a.Groups[1].Value, a.Value));
                var name = m.Groups["name"].Success ? m.Groups["name"].Value : stages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                stages.Add((name, image, []));
            }
            else if (stages.Count == 0)
            {
                if (instruction.Keyword == "ARG")
                {
                    var eq = instruction.Arguments.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        globalArgs[instruction.Arguments[..eq].Trim()] = instruction.Arguments[(eq + 1)..].Trim().Trim('"');
                    }
                }
            }
            else
            {
                stages[^1].Instructions.Add(instruction);
            }
        }

        return new DockerfileModel(globalArgs, [.. stages.Select(s => new DockerStage(s.Name, s.From, s.Instructions))]);
    }

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            var joined = line;
            while (joined.EndsWith('\\') && i + 1 < lines.Length)
            {
                joined = joined[..^1];
                i++;
                var next = lines[i].Trim();
                if (!next.StartsWith('#'))
                {
                    joined += " " + next;
                }
            }

            var space = joined.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? joined : joined[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : joined[(space + 1)..].Trim();
            yield return new DockerInstruction(start, keyword, Regex.Replace(arguments, @"\s+", " "));
        }
    }

    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex ExpandArgs();

    [GeneratedRegex(@"(?<k>[A-Za-z_][A-Za-z0-9_]*)=(?<v>""[^""]*""|\S*)")]
    internal static partial Regex EnvPair();
}
