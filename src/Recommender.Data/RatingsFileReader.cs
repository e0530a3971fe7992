namespace Recommender.Data;

/// <summary>
/// Reads "user SEP item SEP rating SEP timestamp" lines (u.data, ratings.dat, ratings.csv) into
/// columns. Parses bytes in place: no string per line, no Split, because ml-25m has 25 M lines.
/// Every line must have exactly four fields, integer ids, a rating in [0.5, 5] and an integer
/// timestamp; anything else is a <see cref="DatasetFormatException"/> naming the file and line.
/// </summary>
internal static class RatingsFileReader
{
    /// <summary>Smallest rating MovieLens uses (ml-10m and later have half stars).</summary>
    public const float MinRating = 0.5f;

    public const float MaxRating = 5f;

    /// <param name="path">The file.</param>
    /// <param name="separator">Field separator bytes: tab, "::" or ",".</param>
    /// <param name="header">The exact header line expected first, or null where there is none.</param>
    /// <param name="cancellationToken">Checked every 64 K lines.</param>
    public static RatingTable Read(string path, ReadOnlySpan<byte> separator, string? header, CancellationToken cancellationToken)
    {
        using var reader = new ByteLineReader(path);

        var builder = new RatingColumnsBuilder(CountLines(path) - (header is null ? 0 : 1));
        var sawHeader = header is null;
        while (reader.TryReadLine(out var line))
        {
            if (!sawHeader)
            {
                if (!line.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(header!)))
                {
                    throw reader.Error($"expected the header \"{header}\"");
                }

                sawHeader = true;
                continue;
            }

            if ((reader.LineNumber & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!TryParseFast(line, separator, builder))
            {
                ParseLine(reader, line, separator, builder);
            }
        }

        if (!sawHeader)
        {
            throw new DatasetFormatException(path, 1, $"empty file; expected the header \"{header}\"");
        }

        return builder.Build();
    }

    /// <summary>
    /// The file's line count, by one pass that counts newlines (a fraction of the parse time): the
    /// columns are then allocated at their final size, where an estimate needs a trimming copy of
    /// every column (twice the table's memory at the peak) or a regrowth.
    /// </summary>
    private static long CountLines(string path)
    {
        var buffer = new byte[1 << 20];
        long lines = 0;
        var last = (byte)'\n';
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        return lines + (last == (byte)'\n' ? 0 : 1);
    }

    /// <summary>
    /// The common case in one pass: four plain decimal fields ("d" or "d.d" rating) and nothing
    /// else. Returns false, having added nothing, for anything unusual; <see cref="ParseLine"/>
    /// then handles the line, accepting what the BCL parsers accept and reporting what is wrong.
    /// </summary>
    private static bool TryParseFast(ReadOnlySpan<byte> line, ReadOnlySpan<byte> separator, RatingColumnsBuilder builder)
    {
        var pos = 0;
        if (!TryDigits(line, ref pos, separator, 9, out var user) || !TryDigits(line, ref pos, separator, 9, out var item))
        {
            return false;
        }

        float rating;
        if (pos + 1 < line.Length && (uint)(line[pos] - '0') <= 9 && line[(pos + 1)..].StartsWith(separator))
        {
            rating = line[pos] - '0';
            pos += 1 + separator.Length;
        }
        else if (pos + 3 < line.Length && (uint)(line[pos] - '0') <= 9 && line[pos + 1] == (byte)'.' && (uint)(line[pos + 2] - '0') <= 9
            && line[(pos + 3)..].StartsWith(separator))
        {
            rating = ((line[pos] - '0') * 10 + (line[pos + 2] - '0')) / 10f;
            pos += 3 + separator.Length;
        }
        else
        {
            return false;
        }

        if (rating is < MinRating or > MaxRating || !TryDigits(line, ref pos, [], 18, out var timestamp) || pos != line.Length)
        {
            return false;
        }

        builder.Add((int)user, (int)item, rating, timestamp);
        return true;
    }

    /// <summary>1..maxDigits digits followed by <paramref name="separator"/> (empty: end of line).</summary>
    private static bool TryDigits(ReadOnlySpan<byte> line, ref int pos, ReadOnlySpan<byte> separator, int maxDigits, out long value)
    {
        value = 0;
        var start = pos;
        var i = pos;
        while (i < line.Length && (uint)(line[i] - '0') <= 9)
        {
            value = value * 10 + (line[i] - '0');
            i++;
        }

        var digits = i - start;
        if (digits == 0 || digits > maxDigits)
        {
            return false;
        }

        if (separator.IsEmpty)
        {
            pos = i;
            return i == line.Length;
        }

        if (!line[i..].StartsWith(separator))
        {
            return false;
        }

        pos = i + separator.Length;
        return true;
    }

    private static void ParseLine(ByteLineReader reader, ReadOnlySpan<byte> line, ReadOnlySpan<byte> separator, RatingColumnsBuilder builder)
    {
        var rest = line;
        var userField = NextField(reader, ref rest, separator, 1);
        var itemField = NextField(reader, ref rest, separator, 2);
        var ratingField = NextField(reader, ref rest, separator, 3);
        if (rest.IndexOf(separator) >= 0)
        {
            throw reader.Error("expected 4 fields (user, item, rating, timestamp), found more");
        }

        if (!Utf8Numbers.TryParseInt(userField, out var user))
        {
            throw reader.Error($"user id \"{Show(userField)}\" is not an integer");
        }

        if (!Utf8Numbers.TryParseInt(itemField, out var item))
        {
            throw reader.Error($"item id \"{Show(itemField)}\" is not an integer");
        }

        if (!Utf8Numbers.TryParseFloat(ratingField, out var rating))
        {
            throw reader.Error($"rating \"{Show(ratingField)}\" is not a number");
        }

        if (rating is < MinRating or > MaxRating)
        {
            throw reader.Error($"rating {Show(ratingField)} is outside [{MinRating}, {MaxRating}]");
        }

        if (!Utf8Numbers.TryParseLong(rest, out var timestamp))
        {
            throw reader.Error($"timestamp \"{Show(rest)}\" is not an integer");
        }

        builder.Add(user, item, rating, timestamp);
    }

    private static ReadOnlySpan<byte> NextField(ByteLineReader reader, ref ReadOnlySpan<byte> rest, ReadOnlySpan<byte> separator, int fieldsSoFar)
    {
        var at = rest.IndexOf(separator);
        if (at < 0)
        {
            throw reader.Error($"expected 4 fields (user, item, rating, timestamp), found {fieldsSoFar}");
        }

        var field = rest[..at];
        rest = rest[(at + separator.Length)..];
        return field;
    }

    private static string Show(ReadOnlySpan<byte> field)
    {
        const int Max = 40;
        var text = System.Text.Encoding.Latin1.GetString(field.Length > Max ? field[..Max] : field);
        return field.Length > Max ? text + "..." : text;
    }
}
