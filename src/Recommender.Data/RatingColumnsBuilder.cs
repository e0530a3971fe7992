namespace Recommender.Data;

/// <summary>
/// Growable rating columns. Pre-sized from an estimate (file length / bytes per line) so that a
/// 25 M-line file is read without repeated doubling, and trimmed once at the end.
/// </summary>
internal sealed class RatingColumnsBuilder
{
    private int[] _users;
    private int[] _items;
    private float[] _values;
    private long[] _times;

    public RatingColumnsBuilder(long estimatedCount)
    {
        var capacity = (int)Math.Clamp(estimatedCount, 16, Array.MaxLength);
        _users = new int[capacity];
        _items = new int[capacity];
        _values = new float[capacity];
        _times = new long[capacity];
    }

    public int Count { get; private set; }

    public void Add(int user, int item, float value, long timestamp)
    {
        if (Count == _users.Length)
        {
            Grow();
        }

        _users[Count] = user;
        _items[Count] = item;
        _values[Count] = value;
        _times[Count] = timestamp;
        Count++;
    }

    public RatingTable Build()
    {
        if (Count != _users.Length)
        {
            Array.Resize(ref _users, Count);
            Array.Resize(ref _items, Count);
            Array.Resize(ref _values, Count);
            Array.Resize(ref _times, Count);
        }

        return new RatingTable(_users, _items, _values, _times);
    }

    private void Grow()
    {
        var capacity = (int)Math.Min((long)_users.Length * 3 / 2 + 16, Array.MaxLength);
        if (capacity <= _users.Length)
        {
            throw new InvalidOperationException("Too many ratings for one table.");
        }

        Array.Resize(ref _users, capacity);
        Array.Resize(ref _items, capacity);
        Array.Resize(ref _values, capacity);
        Array.Resize(ref _times, capacity);
    }
}
