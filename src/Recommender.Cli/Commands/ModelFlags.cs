using System.CommandLine;
using Recommender.Serving;

namespace Recommender.Cli.Commands;

/// <summary>Flags that pick a model version: --repo, --name, --version, --model.</summary>
internal sealed class ModelFlags
{
    public Option<string> Repo { get; } = new("--repo") { Description = "Model repository root.", Required = true };

    public Option<string?> Name { get; } = new("--name") { Description = "Model name (default: the repository's only model)." };

    public Option<long> Version { get; } = new("--version") { Description = "Version (default: the latest).", DefaultValueFactory = _ => 0 };

    public Option<string> Kind { get; } = new("--model")
    {
        Description = "mf | neural | implicit | blend (neural and blend run the exported ONNX graphs) | default (what PredictRatings serves when a request names no kind: the blend when present, else mf).",
        DefaultValueFactory = _ => "mf",
    };

    public ModelFlags() => Kind.AcceptOnlyFromAmong("mf", "neural", "implicit", "blend", "default");

    public void AddTo(Command command)
    {
        command.Add(Repo);
        command.Add(Name);
        command.Add(Version);
        command.Add(Kind);
    }

    public ServedKind ServedKind(ParseResult parse, ServableModel model) => parse.GetValue(Kind) switch
    {
        "neural" => Serving.ServedKind.Neural,
        "blend" => Serving.ServedKind.Blend,
        "default" => model.PreferredRater ?? Serving.ServedKind.Mf,
        "implicit" => Serving.ServedKind.Implicit,
        _ => Serving.ServedKind.Mf,
    };
}
