namespace Recommender.Data.Tests;

public sealed class LineHandlingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bom_crlf_and_missing_final_newline_are_accepted()
    {
        _temp.WriteBytes("x/ratings.csv", [0xEF, 0xBB, 0xBF, .. "userId,movieId,rating,timestamp\r\n1,2,4.5,7\r\n3,4,1.0,8"u8]);
        _temp.WriteBytes("x/movies.csv", [0xEF, 0xBB, 0xBF, .. "movieId,title,genres\r\n2,Two (2000),Drama\r\n"u8]);

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "x"));

        Assert.Equal([1, 3], ds.Ratings.UserIds);
        Assert.Equal([4.5f, 1f], ds.Ratings.Values);
        Assert.Equal([7L, 8L], ds.Ratings.Timestamps);
        Assert.Equal("Two (2000)", ds.Movies[0].Title);
    }

    [Fact]
    public void Blank_line_in_the_middle_of_a_catalog_is_reported()
    {
        _temp.Write("y/ratings.dat", "1::2::3::4\n");
        var movies = _temp.Write("y/movies.dat", "2::Two (2000)::Drama\n\n3::Three (2001)::Comedy\n\n");

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "y")));

        Assert.Equal(movies, ex.FilePath);
        Assert.Equal(2, ex.LineNumber);
    }

    [Fact]
    public void Ratings_parse_like_the_bcl_parser()
    {
        foreach (var text in new[] { "0.5", "1", "2.7", "3.5", "4.0", "5", "4.25", "3.0e0" })
        {
            Assert.True(Utf8Numbers.TryParseFloat(System.Text.Encoding.ASCII.GetBytes(text), out var value), text);
            Assert.Equal(float.Parse(text, System.Globalization.CultureInfo.InvariantCulture), value);
        }

        Assert.False(Utf8Numbers.TryParseFloat("NaN"u8, out _));
        Assert.False(Utf8Numbers.TryParseInt("99999999999"u8, out _));
        Assert.False(Utf8Numbers.TryParseLong("-"u8, out _));
        Assert.False(Utf8Numbers.TryParseLong(""u8, out _));
        Assert.True(Utf8Numbers.TryParseLong("-42"u8, out var negative));
        Assert.Equal(-42, negative);
    }
}
