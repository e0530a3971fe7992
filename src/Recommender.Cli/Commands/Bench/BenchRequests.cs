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
    private int _next;

    public BenchRequests(BenchCase benchCase, BenchIds ids, string modelName, int seed)
    {
        var random = new Random(seed);
        var spec = new ModelSpec { Name = modelName, Kind = benchCase.Model == BenchCase.Mf ? ModelKind.Mf : ModelKind.Neural };
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
}
