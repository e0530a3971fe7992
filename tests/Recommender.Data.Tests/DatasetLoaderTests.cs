using System.Text;

namespace Recommender.Data.Tests;

public sealed class DatasetLoaderTests : IDisposable
{
    private const string Flags0 = "|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Ml100k_is_detected_and_read_with_latin1_titles_and_genres()
    {
        var item1 = Encoding.Latin1.GetBytes("1|Caf\u00e9 Society (1995)|01-Jan-1995||http://x|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n");
        _temp.WriteBytes("ml-100k/u.item", [.. item1, .. Encoding.Latin1.GetBytes("2|Plain (1990)|||" + Flags0 + "\n")]);
        Assert.Equal(0xE9, item1[5]);
        _temp.Write("ml-100k/u.data", "196\t1\t3\t881250949\n186\t2\t5\t891717742\n\n\n");
        _temp.Write("ml-100k/u.user", "196|24|M|technician|85711\n186|53|F|other|94043\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "ml-100k"));

        Assert.Equal(DatasetFormat.MovieLens100K, ds.Format);
        Assert.Equal("ml-100k", ds.Name);
        Assert.Equal([196, 186], ds.Ratings.UserIds);
        Assert.Equal([1, 2], ds.Ratings.ItemIds);
        Assert.Equal([3f, 5f], ds.Ratings.Values);
        Assert.Equal([881250949L, 891717742L], ds.Ratings.Timestamps);
        Assert.Equal("Caf\u00e9 Society (1995)", ds.Movies[0].Title);
        Assert.Equal(["Action", "Western"], ds.Movies[0].Genres);
        Assert.Empty(ds.Movies[1].Genres);
        Assert.Equal(new UserProfile(186, 53, "F", "other", "94043"), ds.Users[1]);
        // The release date's year; the second film has no date, so its title's "(1990)".
        Assert.Equal(1995, ds.Movies[0].Year);
        Assert.Equal(1990, ds.Movies[1].Year);
    }

    [Fact]
    public void Ml100k_release_date_wins_over_the_title_and_missing_years_are_null()
    {
        _temp.Write("ml-100k/u.item", "1|Dated (1950)|05-Mar-1996||" + Flags0 + "\n2|unknown|||" + Flags0 + "\n3|Odd (19x5)|||" + Flags0 + "\n");
        _temp.Write("ml-100k/u.data", "1\t1\t3\t881250949\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "ml-100k"));

        Assert.Equal(new int?[] { 1996, null, null }, ds.Movies.Select(m => m.Year));
        Assert.Empty(ds.Users);
    }

    [Fact]
    public void User_profiles_are_skipped_on_request_and_nothing_else_changes()
    {
        _temp.Write("ml-100k/u.item", "1|One (1995)|||" + Flags0 + "\n2|Two (1990)|||" + Flags0 + "\n");
        _temp.Write("ml-100k/u.data", "196\t1\t3\t881250949\n186\t2\t5\t891717742\n");
        _temp.Write("ml-100k/u.user", "196|24|M|technician|85711\n186|53|F|other|94043\n");
        var folder = Path.Combine(_temp.Path, "ml-100k");

        var full = DatasetLoader.Load(folder);
        var lean = DatasetLoader.Load(folder, userProfiles: false);

        Assert.Equal(2, full.Users.Count);
        Assert.Empty(lean.Users);
        Assert.Equal(full.Ratings.UserIds, lean.Ratings.UserIds);
        Assert.Equal(full.Ratings.Timestamps, lean.Ratings.Timestamps);
        Assert.Equal(full.Movies.Select(m => m.Title), lean.Movies.Select(m => m.Title));
    }

    [Fact]
    public void Dat_is_detected_latin1_catalog_is_decoded_and_occupations_named()
    {
        _temp.Write("ml-1m/ratings.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n");
        _temp.WriteBytes("ml-1m/movies.dat", Encoding.Latin1.GetBytes("1193::Caf\u00e9 (1975)::Drama\n661::James (1996)::Animation|Children's|Musical\n"));
        _temp.Write("ml-1m/users.dat", "1::F::1::10::48067\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "ml-1m"));

        Assert.Equal(DatasetFormat.MovieLensDat, ds.Format);
        Assert.Equal([1193, 661], ds.Ratings.ItemIds);
        Assert.Equal("Caf\u00e9 (1975)", ds.Movies[0].Title);
        Assert.Equal(["Animation", "Children's", "Musical"], ds.Movies[1].Genres);
        Assert.Equal(new int?[] { 1975, 1996 }, ds.Movies.Select(m => m.Year));
        Assert.Equal(new UserProfile(1, 1, "F", "K-12 student", "48067"), ds.Users[0]);
    }

    [Fact]
    public void Dat_utf8_catalog_and_half_stars_without_users_file()
    {
        _temp.Write("ml-10m/ratings.dat", "1::122::4.5::838985046\n2::122::0.5::838985047\n");
        _temp.Write("ml-10m/movies.dat", "122::Am\u00e9lie (2001)::Comedy|Romance\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "ml-10m"));

        Assert.Equal([4.5f, 0.5f], ds.Ratings.Values);
        Assert.Equal("Am\u00e9lie (2001)", ds.Movies[0].Title);
        Assert.Empty(ds.Users);
    }

    [Fact]
    public void Csv_quoted_titles_with_commas_and_escaped_quotes()
    {
        _temp.Write("small/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,3.5,964981247\n");
        _temp.Write("small/movies.csv",
            "movieId,title,genres\n" +
            "1,Toy Story (1995),Adventure|Animation\n" +
            "3,\"American President, The (1995)\",Comedy|Drama|Romance\n" +
            "4,\"Say \"\"Hi\"\", Then (2001)\",(no genres listed)\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "small"));

        Assert.Equal(DatasetFormat.MovieLensCsv, ds.Format);
        Assert.Equal([4f, 3.5f], ds.Ratings.Values);
        Assert.Equal("American President, The (1995)", ds.Movies[1].Title);
        Assert.Equal(["Comedy", "Drama", "Romance"], ds.Movies[1].Genres);
        Assert.Equal("Say \"Hi\", Then (2001)", ds.Movies[2].Title);
        Assert.Empty(ds.Movies[2].Genres);
    }

    [Theory]
    [InlineData("1\t1\t3\n", 2, "found 3")]
    [InlineData("1\t1\t3\t5\t6\n", 2, "found more")]
    [InlineData("1\tx\t3\t5\n", 2, "item id \"x\"")]
    [InlineData("1\t1\t6\t5\n", 2, "outside")]
    [InlineData("1\t1\t0\t5\n", 2, "outside")]
    [InlineData("1\t1\t3\tnow\n", 2, "timestamp")]
    [InlineData("\n1\t1\t3\t5\n", 1, "blank line")]
    public void Malformed_rating_line_names_file_and_line(string badLine, int line, string problem)
    {
        _temp.Write("bad/u.item", "1|A (1990)|||" + Flags0 + "\n");
        var path = _temp.Write("bad/u.data", "1\t1\t3\t5\n" + badLine + "1\t1\t3\t5\n");
        var expectedLine = badLine.StartsWith('\n') ? 2 : line;

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "bad")));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(expectedLine, ex.LineNumber);
        Assert.Contains($"{path}:{expectedLine}:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_catalog_line_names_file_and_line()
    {
        _temp.Write("bad/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,1\n");
        var path = _temp.Write("bad/movies.csv", "movieId,title,genres\n1,A,Drama\n2,\"Unterminated,Drama\n");

        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "bad")));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("unterminated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_genre_flag_and_missing_csv_header_are_reported()
    {
        _temp.Write("a/u.data", "1\t1\t3\t5\n");
        var item = _temp.Write("a/u.item", "1|A (1990)|||" + Flags0[..^1] + "2\n");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "a")));
        Assert.Equal(item, ex.FilePath);
        Assert.Equal(1, ex.LineNumber);

        var ratings = _temp.Write("b/ratings.csv", "1,1,4.0,1\n");
        _temp.Write("b/movies.csv", "movieId,title,genres\n");
        ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "b")));
        Assert.Equal(ratings, ex.FilePath);
        Assert.Contains("header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_or_incomplete_folders_are_refused_clearly()
    {
        var empty = _temp.Sub("empty");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(empty));
        Assert.Contains("u.data", ex.Message, StringComparison.Ordinal);

        _temp.Write("half/ratings.dat", "1::1::5::1\n");
        ex = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "half")));
        Assert.Contains("movies.dat", ex.Message, StringComparison.Ordinal);

        Assert.Throws<DirectoryNotFoundException>(() => DatasetLoader.Load(Path.Combine(_temp.Path, "missing")));
    }

    [Fact]
    public void Lines_longer_than_the_read_buffer_and_many_lines_are_read_in_order()
    {
        var sb = new StringBuilder();
        const int N = 200_000;
        for (var i = 0; i < N; i++)
        {
            sb.Append(i).Append("::").Append(i % 97).Append("::").Append(1 + (i % 5)).Append("::").Append(1_000_000_000L + i).Append('\n');
        }

        // A line longer than the reader's 1 MiB buffer: the id has 3 Mi leading zeros.
        sb.Append(new string('0', 3 << 20)).Append("7::1::5::1\n");
        _temp.Write("big/ratings.dat", sb.ToString());
        _temp.Write("big/movies.dat", "1::" + new string('x', 3 << 20) + "::Drama\n");

        var ds = DatasetLoader.Load(Path.Combine(_temp.Path, "big"));

        Assert.Equal(N + 1, ds.Ratings.Count);
        Assert.Equal(N - 1, ds.Ratings.UserIds[N - 1]);
        Assert.Equal(1_000_000_000L + N - 1, ds.Ratings.Timestamps[N - 1]);
        Assert.Equal(7, ds.Ratings.UserIds[N]);
        Assert.Equal(3 << 20, ds.Movies[0].Title.Length);
    }
}
