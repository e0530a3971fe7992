using System.Globalization;
using System.Text;

namespace Recommender.Hosting;

/// <summary>
/// Keeps status messages short whatever a caller sent. A status message travels in an HTTP/2
/// trailer; one that quotes a 64 KiB input exceeds the peer's header limit, the call never
/// completes and the connection breaks. So a message quotes at most <see cref="MaxQuotedChars"/>
/// characters of any input and lists at most <see cref="MaxListedIds"/> ids.
/// </summary>
public static class StatusText
{
    public const int MaxQuotedChars = 100;

    public const int MaxListedIds = 5;

    /// <summary>Longest status message sent at all (the interceptor's last line of defence).</summary>
    public const int MaxMessageChars = 512;

    /// <summary>The input in quotes, its head only when it is long ("'abc…' (70000 characters)").</summary>
    public static string Quote(string? input)
    {
        input ??= "";
        return input.Length <= MaxQuotedChars
            ? $"'{input}'"
            : string.Create(CultureInfo.InvariantCulture, $"'{Head(input, MaxQuotedChars)}…' ({input.Length} characters)");
    }

    /// <summary>The first few ids and how many more ("1, 2, 3, 4, 5 and 15 more").</summary>
    public static string Ids(IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (var id in ids.Take(MaxListedIds))
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(id.ToString(CultureInfo.InvariantCulture));
        }

        return ids.Count > MaxListedIds
            ? text.Append(CultureInfo.InvariantCulture, $" and {ids.Count - MaxListedIds} more").ToString()
            : text.ToString();
    }

    /// <summary>The message itself, cut to <see cref="MaxMessageChars"/> when a longer one slipped through.</summary>
    public static string Cap(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= MaxMessageChars)
        {
            return message;
        }

        // The note counts what was cut; the head leaves it room, so the whole stays within the limit.
        var note = string.Create(CultureInfo.InvariantCulture, $"… ({message.Length} characters in all)");
        return Head(message, MaxMessageChars - note.Length) + note;
    }

    // Never cut a surrogate pair in half: the status message is sent as UTF-8.
    private static string Head(string text, int length) =>
        char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
}
