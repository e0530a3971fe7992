using System.Text;

namespace Recommender.Data;

/// <summary>
/// Splits one RFC 4180 CSV line: fields in double quotes may hold commas, and "" inside quotes is
/// a literal quote (MovieLens quotes titles such as "American President, The (1995)").
/// </summary>
internal static class CsvLine
{
    /// <summary>The fields, or null with <paramref name="problem"/> set where the quoting is broken.</summary>
    public static List<string>? TrySplit(string line, out string? problem)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        problem = $"unterminated quoted field {fields.Count + 1}";
                        return null;
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ',')
                {
                    problem = $"unexpected character '{line[i]}' after the closing quote of field {fields.Count + 1}";
                    return null;
                }
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                var text = line.AsSpan(i, end - i);
                if (text.Contains('"'))
                {
                    problem = $"stray quote in unquoted field {fields.Count + 1}";
                    return null;
                }

                field.Append(text);
                i = end;
            }

            fields.Add(field.ToString());
            if (i >= line.Length)
            {
                problem = null;
                return fields;
            }

            i++; // the comma
            if (i == line.Length)
            {
                // A trailing comma means one more, empty, field.
                fields.Add(string.Empty);
                problem = null;
                return fields;
            }
        }
    }
}
