using System.Globalization;

namespace Recommender.Data;

/// <summary>
/// Number parsing straight from UTF-8 bytes. The hand-written fast paths cover what MovieLens
/// files hold (plain decimal integers, ratings like "4" or "3.5") and fall back to the BCL parser
/// for anything else, so exotic but valid input is still accepted.
/// </summary>
internal static class Utf8Numbers
{
    public static bool TryParseInt(ReadOnlySpan<byte> text, out int value)
    {
        if (TryParseLong(text, out var wide) && wide is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)wide;
            return true;
        }

        value = 0;
        return false;
    }

    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        // Up to 18 digits cannot overflow a long; longer input goes to the checked BCL parser.
        if (text.Length is > 0 and <= 18)
        {
            long result = 0;
            var i = 0;
            var negative = text[0] == (byte)'-';
            if (negative)
            {
                i = 1;
            }

            if (i < text.Length)
            {
                for (; i < text.Length; i++)
                {
                    var digit = (uint)(text[i] - '0');
                    if (digit > 9)
                    {
                        break;
                    }

                    result = result * 10 + digit;
                }

                if (i == text.Length)
                {
                    value = negative ? -result : result;
                    return true;
                }
            }
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseFloat(ReadOnlySpan<byte> text, out float value)
    {
        // "d" and "d.d" cover every MovieLens rating exactly.
        if (text.Length == 1 && (uint)(text[0] - '0') <= 9)
        {
            value = text[0] - '0';
            return true;
        }

        if (text.Length == 3 && text[1] == (byte)'.' && (uint)(text[0] - '0') <= 9 && (uint)(text[2] - '0') <= 9)
        {
            // One correctly rounded division gives the same float as the BCL parser.
            value = ((text[0] - '0') * 10 + (text[2] - '0')) / 10f;
            return true;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }
}
