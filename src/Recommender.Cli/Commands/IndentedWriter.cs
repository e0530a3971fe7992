using System.Text;

namespace Recommender.Cli.Commands;

/// <summary>Indents every line written through it (nested progress under a demo step).</summary>
internal sealed class IndentedWriter(TextWriter inner, string indent = "      ") : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void WriteLine(string? value) => inner.WriteLine(indent + value);

    public override void Write(char value) => inner.Write(value);
}
