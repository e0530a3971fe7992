using System.Buffers;

namespace Recommender.Models.Implicit;

/// <summary>
/// VᵀV (k×k, both triangles) of a row-major factor matrix: the part of every row's normal
/// equations shared by all rows, so each half-epoch computes it once and a row adds only its
/// observed entries (the "Gramian trick" of Hu, Koren, Volinsky 2008). Rows are summed in fixed
/// chunks whose float partials are added in chunk order in double: the result depends on the
/// factors alone, not on the thread count, so training is reproducible and a served fold-in
/// sees exactly the Gramian training would.
/// </summary>
public static class ImplicitGramian
{
    private const int MaxChunks = 64;
    private const int MinChunkRows = 256;

    /// <summary>Fills <paramref name="destination"/> (k·k floats) with VᵀV of the first <paramref name="rows"/> rows.</summary>
    public static void Compute(float[] factors, int rows, int k, float[] destination, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreeOfParallelism);
        if ((long)rows * k > factors.Length)
        {
            throw new ArgumentException($"{rows} rows of {k} factors need {(long)rows * k} values; the matrix holds {factors.Length}.", nameof(factors));
        }

        if (destination.Length < k * k)
        {
            throw new ArgumentException($"The Gramian needs {k * k} values; the destination holds {destination.Length}.", nameof(destination));
        }

        var chunkRows = Math.Max(MinChunkRows, (rows + MaxChunks - 1) / MaxChunks);
        var chunks = (rows + chunkRows - 1) / chunkRows;
        var square = k * k;
        var partials = ArrayPool<float>.Shared.Rent(Math.Max(1, chunks) * square);
        try
        {
            if (chunks <= 1 || degreeOfParallelism == 1)
            {
                for (var c = 0; c < chunks; c++)
                {
                    SumChunk(factors, rows, k, chunkRows, c, partials.AsSpan(c * square, square));
                }
            }
            else
            {
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism },
                    c => SumChunk(factors, rows, k, chunkRows, c, partials.AsSpan(c * square, square)));
            }

            var total = ArrayPool<double>.Shared.Rent(square);
            try
            {
                Array.Clear(total, 0, square);
                for (var c = 0; c < chunks; c++)
                {
                    var partial = partials.AsSpan(c * square, square);
                    for (var n = 0; n < square; n++)
                    {
                        total[n] += partial[n];
                    }
                }

                for (var n = 0; n < square; n++)
                {
                    destination[n] = (float)total[n];
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(total);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>A new k·k array holding VᵀV.</summary>
    public static float[] Compute(float[] factors, int rows, int k, int degreeOfParallelism = 1)
    {
        var gramian = new float[k * k];
        Compute(factors, rows, k, gramian, degreeOfParallelism);
        return gramian;
    }

    private static void SumChunk(float[] factors, int rows, int k, int chunkRows, int chunk, Span<float> partial)
    {
        partial.Clear();
        var end = Math.Min(rows, (chunk + 1) * chunkRows);
        for (var r = chunk * chunkRows; r < end; r++)
        {
            ReadOnlySpan<float> v = factors.AsSpan(r * k, k);
            for (var f = 0; f < k; f++)
            {
                var scale = v[f];
                if (scale != 0f)
                {
                    VectorOps.Axpy(scale, v, partial.Slice(f * k, k));
                }
            }
        }
    }
}
