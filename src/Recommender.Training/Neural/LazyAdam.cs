using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp.Modules;

namespace Recommender.Training.Neural;

/// <summary>
/// Adam that is lazy ("sparse") on embedding tables with sparse gradients
/// (<c>nn.Embedding(sparse: true)</c>), as PyTorch's SparseAdam and TF's LazyAdam: the rows a
/// batch looks up get Adam's moment and parameter update, bias-corrected by the global step; the
/// other rows and their moments are left alone. Parameters with dense gradients (the network's
/// layers) get the plain Adam update. TorchSharp 0.107 has no SparseAdam, and a dense Adam step
/// costs several passes over every row of the tables at every batch: at ML-25M size
/// (162 k + 62 k rows) that, not the network, is what an epoch spent its time on.
/// </summary>
/// <remarks>
/// The updates run in C# on the parameters' CPU memory. A sparse gradient's indices and values
/// are two calls into libtorch, after which summing duplicate rows and updating a few hundred rows
/// is cheaper than the dozen libtorch operations (10-20 µs each at these sizes) the same update
/// takes with gathers and scatters; the dense layers' few thousand weights likewise cost a few µs
/// here against the ~10 operations per parameter tensor of TorchSharp's Adam, which were most of a
/// batch's operations. The arithmetic is torch's Adam's, in float. The moments live in managed
/// arrays. Weight decay, when set, adds wd·θ to the gradient (of the touched rows only, for tables).
/// Gradients are cleared (set to none) after each step.
/// </remarks>
internal sealed class LazyAdam
{
    private readonly SparseTable[] tables;
    private readonly DenseParameter[] dense;
    private readonly double beta1;
    private readonly double beta2;
    private readonly float eps;
    private readonly float weightDecay;

    /// <summary>
    /// Lazy Adam on <paramref name="sparseTables"/> (2-d, sparse gradients) and plain Adam on
    /// <paramref name="denseParameters"/>, all contiguous float32 CPU tensors.
    /// </summary>
    public LazyAdam(
        IReadOnlyList<Parameter> sparseTables, IReadOnlyList<Parameter> denseParameters,
        double learningRate, double beta1, double beta2, double eps, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(sparseTables);
        ArgumentNullException.ThrowIfNull(denseParameters);
        tables = [.. sparseTables.Select(t => new SparseTable(t))];
        dense = [.. denseParameters.Select(p => new DenseParameter(p))];
        LearningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = (float)eps;
        this.weightDecay = (float)weightDecay;
    }

    /// <summary>The learning rate of the next steps (the trainer decays it per epoch).</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken so far: the t of Adam's bias correction.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Updates the rows each table's gradient touches and every dense parameter, then clears the
    /// gradients (sparse ones would otherwise accumulate by concatenation). A parameter without a
    /// gradient is skipped.
    /// </summary>
    public void Step()
    {
        Steps++;
        var coefficients = new Coefficients(
            Beta1: (float)beta1,
            OneMinusBeta1: (float)(1 - beta1),
            Beta2: (float)beta2,
            OneMinusBeta2: (float)(1 - beta2),
            StepSize: (float)(LearningRate / (1 - Math.Pow(beta1, Steps))),
            SqrtBiasCorrection2: (float)Math.Sqrt(1 - Math.Pow(beta2, Steps)),
            Eps: eps,
            WeightDecay: weightDecay);
        foreach (var table in tables)
        {
            table.Update(coefficients);
        }

        foreach (var parameter in dense)
        {
            parameter.Update(coefficients);
        }
    }

    private readonly record struct Coefficients(
        float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float StepSize, float SqrtBiasCorrection2, float Eps, float WeightDecay);

    private static void CheckParameter(Parameter parameter)
    {
        if (parameter.dtype != TorchSharp.torch.ScalarType.Float32 || !parameter.is_contiguous() || parameter.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new ArgumentException("LazyAdam needs contiguous float32 CPU parameters.", nameof(parameter));
        }
    }

    /// <summary>torch's Adam step for one row (or a whole parameter), in float as torch computes it.</summary>
    private static void UpdateRow(Span<float> p, Span<float> m, Span<float> v, ReadOnlySpan<float> g, in Coefficients c)
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lanes = Vector<float>.Count;
            var beta1 = new Vector<float>(c.Beta1);
            var oneMinusBeta1 = new Vector<float>(c.OneMinusBeta1);
            var beta2 = new Vector<float>(c.Beta2);
            var oneMinusBeta2 = new Vector<float>(c.OneMinusBeta2);
            var stepSize = new Vector<float>(c.StepSize);
            var sqrtBiasCorrection2 = new Vector<float>(c.SqrtBiasCorrection2);
            var eps = new Vector<float>(c.Eps);
            var weightDecay = new Vector<float>(c.WeightDecay);
            for (; k <= p.Length - lanes; k += lanes)
            {
                var pk = new Vector<float>(p[k..]);
                var gk = new Vector<float>(g[k..]);
                if (c.WeightDecay != 0)
                {
                    gk += weightDecay * pk;
                }

                var mk = (new Vector<float>(m[k..]) * beta1) + (oneMinusBeta1 * gk);
                var vk = (new Vector<float>(v[k..]) * beta2) + (oneMinusBeta2 * gk * gk);
                pk -= stepSize * (mk / ((Vector.SquareRoot(vk) / sqrtBiasCorrection2) + eps));
                mk.CopyTo(m[k..]);
                vk.CopyTo(v[k..]);
                pk.CopyTo(p[k..]);
            }
        }

        for (; k < p.Length; k++)
        {
            var gk = g[k];
            if (c.WeightDecay != 0)
            {
                gk += c.WeightDecay * p[k];
            }

            m[k] = (m[k] * c.Beta1) + (c.OneMinusBeta1 * gk);
            v[k] = (v[k] * c.Beta2) + (c.OneMinusBeta2 * gk * gk);
            p[k] -= c.StepSize * (m[k] / ((MathF.Sqrt(v[k]) / c.SqrtBiasCorrection2) + c.Eps));
        }
    }

    /// <summary>A parameter with a dense gradient: every element is updated.</summary>
    private sealed class DenseParameter
    {
        private readonly Parameter parameter;
        private readonly float[] m;
        private readonly float[] v;

        public DenseParameter(Parameter parameter)
        {
            CheckParameter(parameter);
            this.parameter = parameter;
            m = new float[checked((int)parameter.numel())];
            v = new float[m.Length];
        }

        public void Update(in Coefficients c)
        {
            using var grad = parameter.grad;
            if (grad is null)
            {
                return;
            }

            if (grad.is_sparse)
            {
                throw new InvalidOperationException("A dense parameter got a sparse gradient.");
            }

            using (var contiguous = grad.is_contiguous() ? null : grad.contiguous())
            {
                UpdateRow(
                    MemoryMarshal.Cast<byte, float>(parameter.bytes), m, v,
                    MemoryMarshal.Cast<byte, float>((contiguous ?? grad).bytes), c);
            }

            parameter.grad = null;
        }
    }

    /// <summary>An embedding table with a sparse gradient: only the rows it names are updated.</summary>
    private sealed class SparseTable
    {
        private readonly Parameter weight;
        private readonly int width;

        // Per row its first moment then its second: the rows a batch touches are scattered over
        // tables of tens of MB, and one contiguous block per row misses the cache less than two.
        private readonly float[] moments;

        // Row -> its slot among this step's distinct rows, -1 when not touched: sums duplicates
        // without a dictionary; reset row by row after each step.
        private readonly int[] slotOfRow;
        private int[] touched = [];
        private float[] sums = [];

        public SparseTable(Parameter weight)
        {
            CheckParameter(weight);
            if (weight.dim() != 2)
            {
                throw new ArgumentException("Lazy Adam's tables are [rows x width].", nameof(weight));
            }

            this.weight = weight;
            var rows = checked((int)weight.shape[0]);
            width = checked((int)weight.shape[1]);
            moments = new float[checked(2 * rows * width)];
            slotOfRow = new int[rows];
            Array.Fill(slotOfRow, -1);
        }

        public void Update(in Coefficients c)
        {
            using var grad = weight.grad;
            if (grad is null)
            {
                return;
            }

            if (!grad.is_sparse)
            {
                throw new InvalidOperationException("Lazy Adam needs sparse gradients: build the embeddings with sparse: true.");
            }

            using (var rawIndices = grad.SparseIndices)
            using (var rawValues = grad.SparseValues)
            using (var contiguousIndices = rawIndices.is_contiguous() ? null : rawIndices.contiguous())
            using (var contiguousValues = rawValues.is_contiguous() ? null : rawValues.contiguous())
            {
                var indices = MemoryMarshal.Cast<byte, long>((contiguousIndices ?? rawIndices).bytes);
                var values = MemoryMarshal.Cast<byte, float>((contiguousValues ?? rawValues).bytes);
                var count = Gather(indices, values);
                Apply(count, c);
            }

            weight.grad = null;
        }

        /// <summary>Sums the gradient rows per distinct table row; returns how many distinct rows.</summary>
        private int Gather(ReadOnlySpan<long> indices, ReadOnlySpan<float> values)
        {
            if (values.Length != indices.Length * width)
            {
                throw new InvalidOperationException($"A sparse gradient of {indices.Length} rows has {values.Length} values, not {indices.Length} x {width}.");
            }

            if (touched.Length < indices.Length)
            {
                touched = new int[indices.Length];
                sums = new float[indices.Length * width];
            }

            var count = 0;
            for (var k = 0; k < indices.Length; k++)
            {
                var row = checked((int)indices[k]);
                var gradient = values.Slice(k * width, width);
                var slot = slotOfRow[row];
                if (slot < 0)
                {
                    slot = count++;
                    slotOfRow[row] = slot;
                    touched[slot] = row;
                    gradient.CopyTo(sums.AsSpan(slot * width, width));
                }
                else
                {
                    Add(sums.AsSpan(slot * width, width), gradient);
                }
            }

            return count;
        }

        private unsafe void Apply(int count, in Coefficients c)
        {
            var parameters = MemoryMarshal.Cast<byte, float>(weight.bytes);
            fixed (float* parameterBase = parameters)
            fixed (float* momentBase = moments)
            {
                for (var slot = 0; slot < count; slot++)
                {
                    if (slot + PrefetchDistance < count)
                    {
                        var ahead = touched[slot + PrefetchDistance];
                        Prefetch(parameterBase + ((long)ahead * width), width);
                        Prefetch(momentBase + (2L * ahead * width), 2 * width);
                    }

                    var row = touched[slot];
                    slotOfRow[row] = -1;
                    var state = moments.AsSpan(2 * row * width, 2 * width);
                    UpdateRow(
                        parameters.Slice(row * width, width), state[..width], state[width..],
                        sums.AsSpan(slot * width, width), c);
                }
            }
        }

        // Rows are fetched this many rows ahead of their update: their addresses are random, so
        // the hardware prefetcher cannot guess them.
        private const int PrefetchDistance = 4;

        private static unsafe void Prefetch(float* start, int floats)
        {
            if (!Sse.IsSupported)
            {
                return;
            }

            for (var offset = 0; offset < floats; offset += 16)
            {
                Sse.Prefetch0(start + offset);
            }

            Sse.Prefetch0(start + floats - 1);
        }

        private static void Add(Span<float> sum, ReadOnlySpan<float> gradient)
        {
            for (var k = 0; k < sum.Length; k++)
            {
                sum[k] += gradient[k];
            }
        }
    }
}
