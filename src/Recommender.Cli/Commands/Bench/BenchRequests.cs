using Recommender.Contracts.V1;

namespace Recommender.Cli.Commands.Bench;

/// <summary>
/// Prebuilt requests for one worker, cycled through during a case, so the client's cost per call
/// is the RPC alone and not building messages. Each worker owns its ring: messages are never shared
/// between concurrent calls.
/// </summary>
internal sealed class BenchRequests
{
    private const int RingSize = 64;

    private readonly PredictRatingsRequest[] _predict = [];
    private readonly RecommendRequest[] _recommend = [];
    private readonly SimilarItemsRequest[] _similar = [];
    private int _next;

    public BenchRequests(BenchCase benchCase, BenchIds ids, string modelName, int seed)
    {
        var random = new Random(seed);
        var spec = new ModelSpec { Name = modelName, Kind = BenchKinds.Wire(benchCase.Model) };
        if (benchCase.Operation == BenchCase.Predict)
        {
            _predict = new PredictRatingsRequest[RingSize];
            for (var r = 0; r < RingSize; r++)
            {
                var request = new PredictRatingsRequest { Model = spec };
                for (var i = 0; i < benchCase.Size; i++)
                {
                    request.UserIds.Add(ids.Users[random.Next(ids.Users.Length)]);
                    request.ItemIds.Add(ids.Items[random.Next(ids.Items.Length)]);
                }

                _predict[r] = request;
            }
        }
        else if (benchCase.Operation == BenchCase.Similar)
        {
            _similar = new SimilarItemsRequest[RingSize];
            for (var r = 0; r < RingSize; r++)
            {
                _similar[r] = new SimilarItemsRequest { Model = spec, TopN = benchCase.Size };
                _similar[r].ItemIds.Add(ids.Items[random.Next(ids.Items.Length)]);
            }
        }
        else if (benchCase.Operation == BenchCase.History)
        {
            // A user the model has never seen (id 0) with distinct history items: the fold-in path.
            _recommend = new RecommendRequest[RingSize];
            var length = Math.Min(BenchCase.HistoryLength, ids.Items.Length);
            for (var r = 0; r < RingSize; r++)
            {
                var request = new RecommendRequest { Model = spec, UserId = 0, TopN = benchCase.Size };
                request.HistoryItemIds.Add(random.GetItems(ids.Items, length * 2).Distinct().Take(length));
                _recommend[r] = request;
            }
        }
        else
        {
            _recommend = new RecommendRequest[RingSize];
            for (var r = 0; r < RingSize; r++)
            {
                _recommend[r] = new RecommendRequest { Model = spec, UserId = ids.Users[random.Next(ids.Users.Length)], TopN = benchCase.Size };
            }
        }
    }

    public PredictRatingsRequest NextPredict() => _predict[_next++ % RingSize];

    public RecommendRequest NextRecommend() => _recommend[_next++ % RingSize];

    public SimilarItemsRequest NextSimilar() => _similar[_next++ % RingSize];
}
