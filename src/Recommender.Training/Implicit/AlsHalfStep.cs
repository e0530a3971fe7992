using System.Runtime.ExceptionServices;
using Recommender.Models.Implicit;

namespace Recommender.Training.Implicit;

/// <summary>
/// One half of an ALS epoch: every row of one side (all users, or all items) re-solved against
/// the other side's fixed factors and its Gramian. Rows are independent, so workers claim chunks
/// of rows from a shared counter (rows differ a lot in cost: a popular item has hundreds of
/// entries); each worker owns its k×k scratch, so the solves allocate nothing. Each row's result
/// depends on its inputs only, so the outcome is the same on any number of threads.
/// </summary>
internal sealed class AlsHalfStep
{
    private const int RowsPerClaim = 16;

    private readonly int factors;
    private readonly int workers;
    private readonly ImplicitSolver solver;
    private readonly int cgSteps;
    private readonly ImplicitSolveParameters parameters;
    private readonly float[][] scratch;
    private readonly float[][] confidences;
    private int cursor;

    public AlsHalfStep(int factors, int workers, ImplicitSolver solver, int cgSteps, ImplicitSolveParameters parameters)
    {
        this.factors = factors;
        this.workers = workers;
        this.solver = solver;
        this.cgSteps = cgSteps;
        this.parameters = parameters;
        scratch = new float[workers][];
        confidences = new float[workers][];
        for (var w = 0; w < workers; w++)
        {
            scratch[w] = new float[ImplicitRowSolver.ScratchLength(factors)];
            confidences[w] = [];
        }
    }

    /// <summary>
    /// Re-solves every row of <paramref name="rows"/> into <paramref name="rowFactors"/>; when
    /// <paramref name="rowTerms"/> is given, also writes each row's share of the loss there
    /// (<see cref="ImplicitObjective.RowTerm"/>).
    /// </summary>
    public void Run(InteractionMatrix rows, float[] rowFactors, float[] fixedFactors, float[] fixedGramian, double[]? rowTerms, CancellationToken cancellationToken)
    {
        cursor = 0;
        for (var w = 0; w < workers; w++)
        {
            // Each worker decodes a row's confidences here (see InteractionMatrix's remarks).
            if (confidences[w].Length < rows.MaxRowLength)
            {
                confidences[w] = new float[rows.MaxRowLength];
            }
        }

        if (workers == 1)
        {
            Work(0, rows, rowFactors, fixedFactors, fixedGramian, rowTerms, cancellationToken);
        }
        else
        {
            try
            {
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                    w => Work(w, rows, rowFactors, fixedFactors, fixedGramian, rowTerms, cancellationToken));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Work(int worker, InteractionMatrix rows, float[] rowFactors, float[] fixedFactors, float[] fixedGramian, double[]? rowTerms, CancellationToken cancellationToken)
    {
        var buffer = scratch[worker].AsSpan();
        var confidenceBuffer = confidences[worker].AsSpan();
        var k = factors;
        var otherSide = rows.ColumnCount;
        int first;
        while ((first = (Interlocked.Add(ref cursor, RowsPerClaim) - RowsPerClaim)) < rows.RowCount)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var end = Math.Min(rows.RowCount, first + RowsPerClaim);
            for (var row = first; row < end; row++)
            {
                var x = rowFactors.AsSpan(row * k, k);
                var observed = rows.ColumnsOf(row);
                if (observed.IsEmpty)
                {
                    // No interactions: the right-hand side is 0, so the exact optimum is 0.
                    x.Clear();
                    if (rowTerms is not null)
                    {
                        rowTerms[row] = 0;
                    }

                    continue;
                }

                var regularization = parameters.RowRegularization(observed.Length, otherSide);
                var confidence = rows.ConfidenceOf(row, confidenceBuffer);
                if (solver == ImplicitSolver.Cholesky)
                {
                    ImplicitRowSolver.SolveCholesky(fixedGramian, fixedFactors, observed, confidence,
                        parameters.UnobservedWeight, regularization, buffer, x);
                }
                else
                {
                    ImplicitRowSolver.SolveConjugateGradient(fixedGramian, fixedFactors, observed, confidence,
                        parameters.UnobservedWeight, regularization, cgSteps, buffer, x);
                }

                if (rowTerms is not null)
                {
                    rowTerms[row] = ImplicitObjective.RowTerm(x, fixedFactors, observed, confidence, parameters.UnobservedWeight, regularization);
                }
            }
        }
    }
}
