namespace Recommender.Data.Tests;

public sealed class ValidationCarverTests
{
    /// <summary>Ratings of 40 users x 60 items where user u rates u % 7 + 2 items (some users and items have one rating only).</summary>
    private static IndexedRatings Ratings()
    {
        var users = new List<int>();
        var items = new List<int>();
        var values = new List<float>();
        for (var u = 0; u < 40; u++)
        {
            for (var k = 0; k < (u % 7) + 2; k++)
            {
                users.Add(u);
                items.Add(((u * 7) + (k * 13)) % 60);
                values.Add(1 + ((u + k) % 5));
            }
        }

        return new IndexedRatings([.. users], [.. items], [.. values], 40, 60);
    }

    private static IEnumerable<(int, int, float)> Rows(IndexedRatings r) =>
        Enumerable.Range(0, r.Count).Select(n => (r.Users[n], r.Items[n], r.Values[n]));

    [Fact]
    public void Fit_and_validation_partition_the_ratings_in_their_order()
    {
        var ratings = Ratings();

        var carve = ValidationCarver.Carve(ratings, 0.2, seed: 3);

        Assert.Equal(ratings.Count, carve.Fit.Count + carve.Validation.Count);
        Assert.Equal(Rows(ratings).Order(), Rows(carve.Fit).Concat(Rows(carve.Validation)).Order());
        // Both parts keep the input order: each is a subsequence of the input.
        foreach (var part in new[] { carve.Fit, carve.Validation })
        {
            var position = 0;
            foreach (var row in Rows(part))
            {
                while (Rows(ratings).ElementAt(position) != row)
                {
                    position++;
                }

                position++;
            }
        }

        Assert.Equal(ratings.UserCount, carve.Validation.UserCount);
        Assert.Equal(ratings.ItemCount, carve.Fit.ItemCount);
    }

    [Fact]
    public void Takes_the_fraction_and_keeps_every_user_and_item_in_the_fit_part()
    {
        var ratings = Ratings();

        var carve = ValidationCarver.Carve(ratings, 0.2, seed: 3);

        Assert.InRange(carve.Validation.Count, (int)(0.15 * ratings.Count), (int)Math.Round(0.2 * ratings.Count));
        Assert.Equal(ratings.Users.ToHashSet(), carve.Fit.Users.ToHashSet());
        Assert.Equal(ratings.Items.ToHashSet(), carve.Fit.Items.ToHashSet());
    }

    [Fact]
    public void The_seed_decides_the_carve()
    {
        var ratings = Ratings();

        var first = ValidationCarver.Carve(ratings, 0.2, seed: 3);
        var again = ValidationCarver.Carve(ratings, 0.2, seed: 3);
        var other = ValidationCarver.Carve(ratings, 0.2, seed: 4);

        Assert.Equal(Rows(first.Validation), Rows(again.Validation));
        Assert.NotEqual(Rows(first.Validation), Rows(other.Validation));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(0.6)]
    [InlineData(double.NaN)]
    public void Refuses_fractions_outside_the_range(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ValidationCarver.Carve(Ratings(), fraction, 1));
        Assert.Equal("fraction", error.ParamName);
    }
}
