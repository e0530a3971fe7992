using Recommender.Hosting;

namespace Recommender.InferenceService.Tests;

/// <summary>The status-message helpers keep any message within its limit whatever the input.</summary>
public sealed class StatusTextTests
{
    [Fact]
    public void A_long_input_is_quoted_by_its_head_and_its_length()
    {
        var quoted = StatusText.Quote(new string('a', 70_000));

        Assert.StartsWith("'" + new string('a', StatusText.MaxQuotedChars) + "…'", quoted, StringComparison.Ordinal);
        Assert.EndsWith("(70000 characters)", quoted, StringComparison.Ordinal);
        Assert.Equal("'short'", StatusText.Quote("short"));
    }

    [Fact]
    public void A_long_message_is_cut_to_the_limit_with_its_full_length_and_no_half_surrogate()
    {
        var message = new string('m', StatusText.MaxMessageChars - 30) + string.Concat(Enumerable.Repeat("😀", 1000));

        var capped = StatusText.Cap(message);

        Assert.True(capped.Length <= StatusText.MaxMessageChars, $"{capped.Length} characters");
        Assert.EndsWith($"({message.Length} characters in all)", capped, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(capped)));
        Assert.Equal("a short message", StatusText.Cap("a short message"));
    }

    [Fact]
    public void Ids_are_listed_up_to_a_few_with_a_count_of_the_rest()
    {
        Assert.Equal("1, 2, 3, 4, 5 and 2 more", StatusText.Ids([1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal("1, 2", StatusText.Ids([1, 2]));
    }
}
