using System.Text;

namespace Recommender.Data;

/// <summary>
/// Reads a small text file (catalog, users) as numbered lines. MovieLens is inconsistent about
/// encodings (ml-100k and ml-1m are Latin-1, ml-10m and the CSV sets UTF-8, and none says which),
/// so <see cref="ReadDetectingEncoding"/> tries strict UTF-8 and falls back to Latin-1, which
/// decodes any byte sequence. Latin-1 text is almost never valid UTF-8 by accident, so the guess
/// is safe. As for ratings, a blank line is only allowed at the end.
/// </summary>
internal static class TextFileLines
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IReadOnlyList<(long Number, string Text)> ReadDetectingEncoding(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(bytes);
        }

        return Split(path, text);
    }

    public static IReadOnlyList<(long Number, string Text)> Read(string path, Encoding encoding) =>
        Split(path, encoding.GetString(File.ReadAllBytes(path)));

    private static List<(long Number, string Text)> Split(string path, string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var lines = new List<(long, string)>();
        long number = 0;
        long firstBlank = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                firstBlank = firstBlank == 0 ? number : firstBlank;
                continue;
            }

            if (firstBlank != 0)
            {
                throw new DatasetFormatException(path, firstBlank, "blank line in the middle of the file");
            }

            lines.Add((number, line));
        }

        return lines;
    }
}
