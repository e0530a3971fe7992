using TorchSharp;
using static TorchSharp.torch;

namespace Recommender.Training.Mf.Bayesian;

/// <summary>
/// The best rank-r approximation (Eckart–Young: the truncated SVD) of the score matrix P Qᵀ of a
/// wide factorization, P users × w and Q items × w, found from the two w × w Gram matrices, so the
/// users × items matrix is never formed. The Bayesian posterior mean is such a factorization: S
/// samples of k factors side by side are w = S·k columns, though the samples share most of their
/// directions, so a few k columns carry nearly all of the averaged scores. Serving pays per column
/// (every top-N call scans them for the whole catalog), so fewer columns are that much cheaper.
/// <para>
/// With PᵀP = A Λ Aᵀ, P = U Λ^½ Aᵀ (U orthonormal), so P Qᵀ = U (Q A Λ^½)ᵀ; the eigenvectors B and
/// eigenvalues Σ² of (Q A Λ^½)ᵀ(Q A Λ^½) = Λ^½ Aᵀ QᵀQ A Λ^½ give P Qᵀ = (U B) Σ (Q A Λ^½ B Σ⁻¹)ᵀ, an SVD.
/// Its first r terms, split as Σ^½ on either side (users and items of like norms, which the
/// bfloat16 top-N bound prefers), are P·[A Λ^-½ B_r Σ_r^½] and Q·[A Λ^½ B_r Σ_r^-½]. Double precision throughout.
/// </para>
/// </summary>
internal sealed class ScoreMatrixRankReduction : IDisposable
{
    // Directions whose eigenvalue is below this fraction of the largest carry nothing but rounding.
    private const double NegligibleEigenvalue = 1e-12;

    private readonly Tensor _users;
    private readonly Tensor _items;
    private readonly Tensor _toUsers;
    private readonly Tensor _toItems;

    private ScoreMatrixRankReduction(Tensor users, Tensor items, Tensor toUsers, Tensor toItems, double[] singularValues)
    {
        _users = users;
        _items = items;
        _toUsers = toUsers;
        _toItems = toItems;
        SingularValues = singularValues;
    }

    /// <summary>The score matrix's singular values, largest first (as many as the ranks it can reduce to).</summary>
    public double[] SingularValues { get; }

    /// <summary>The highest rank it offers: the score matrix's numerical rank.</summary>
    public int MaxRank => SingularValues.Length;

    /// <summary>Decomposes the score matrix of row-major <paramref name="userFactors"/> (users × width) and <paramref name="itemFactors"/> (items × width).</summary>
    public static ScoreMatrixRankReduction Of(float[] userFactors, int userCount, float[] itemFactors, int itemCount, int width)
    {
        ArgumentNullException.ThrowIfNull(userFactors);
        ArgumentNullException.ThrowIfNull(itemFactors);
        using var scope = NewDisposeScope();
        var users = tensor(userFactors, [userCount, width]).to(ScalarType.Float64);
        var items = tensor(itemFactors, [itemCount, width]).to(ScalarType.Float64);
        var (userEigenvalues, userBasis) = linalg.eigh(users.t().mm(users));
        var keep = userEigenvalues.gt(userEigenvalues.max() * NegligibleEigenvalue);
        var lambda = userEigenvalues.index(keep);
        var a = userBasis.index(TensorIndex.Colon, TensorIndex.Tensor(keep));
        var aRootLambda = a * lambda.sqrt();
        var inner = aRootLambda.t().mm(items.t().mm(items)).mm(aRootLambda);
        var (squares, b) = linalg.eigh((inner + inner.t()) / 2); // symmetric up to rounding; eigh reads one triangle
        var order = squares.argsort(descending: true);
        squares = squares.index(order);
        b = b.index(TensorIndex.Colon, TensorIndex.Tensor(order));
        var nonzero = squares.gt(squares.max().clamp_min(double.Epsilon) * NegligibleEigenvalue * NegligibleEigenvalue);
        squares = squares.index(nonzero);
        b = b.index(TensorIndex.Colon, TensorIndex.Tensor(nonzero));
        var sigma = squares.sqrt();
        var rootSigma = sigma.sqrt();
        var toUsers = (a / lambda.sqrt()).mm(b) * rootSigma;
        var toItems = aRootLambda.mm(b) / rootSigma;
        var reduction = new ScoreMatrixRankReduction(users, items, toUsers, toItems, sigma.data<double>().ToArray());
        foreach (var kept in new[] { users, items, toUsers, toItems })
        {
            kept.MoveToOuterDisposeScope();
        }

        return reduction;
    }

    /// <summary>The rank-<paramref name="rank"/> factors (users × rank, items × rank, row-major floats) whose product is closest to the score matrix.</summary>
    public (float[] UserFactors, float[] ItemFactors) Reduce(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, MaxRank);
        using var scope = NewDisposeScope();
        var columns = TensorIndex.Slice(0, rank);
        var users = _users.mm(_toUsers.index(TensorIndex.Colon, columns)).to(ScalarType.Float32).contiguous();
        var items = _items.mm(_toItems.index(TensorIndex.Colon, columns)).to(ScalarType.Float32).contiguous();
        return (users.data<float>().ToArray(), items.data<float>().ToArray());
    }

    public void Dispose()
    {
        _users.Dispose();
        _items.Dispose();
        _toUsers.Dispose();
        _toItems.Dispose();
    }
}
