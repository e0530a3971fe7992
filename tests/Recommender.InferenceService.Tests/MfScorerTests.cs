using Recommender.Contracts.V1;
using Contract = Recommender.Contracts.V1;

namespace Recommender.InferenceService.Tests;

/// <summary>MF top-N through the ONNX top-k graph gives the same answers as managed SIMD scoring.</summary>
public sealed class MfScorerTests(ServedRepositoryFixture fixture) : IClassFixture<ServedRepositoryFixture>
{
    [Fact]
    public async Task The_onnx_top_k_graph_and_simd_scoring_recommend_the_same_items()
    {
        var answers = new Dictionary<string, List<long[]>>();
        foreach (var scorer in new[] { "Simd", "Onnx" })
        {
            await using var server = await InferenceServer.StartAsync(fixture.Repository.RepositoryPath,
                new Dictionary<string, string?> { ["Inference:MfScorer"] = scorer });
            await Eventually.ServingAsync(server.Channel);
            var client = new Contract.InferenceService.InferenceServiceClient(server.Channel);
            var info = await client.GetModelInfoAsync(new GetModelInfoRequest());
            Assert.Equal(scorer.ToLowerInvariant(), info.Models[0].MfScorer);

            var bundle = fixture.Repository.Repository.OpenVersion(ServedRepository.ModelName, 1);
            var lists = new List<long[]>();
            for (var u = 0; u < 10; u++)
            {
                var request = new RecommendRequest { UserId = bundle.Users.ExternalId(u), TopN = 7, Model = new ModelSpec { Kind = ModelKind.Mf } };
                if (u % 3 == 0)
                {
                    request.ExcludeItemIds.Add(bundle.Items.ExternalId(u));
                }

                var response = await client.RecommendAsync(request);
                lists.Add([.. response.Items.Select(i => i.ItemId)]);
            }

            answers[scorer] = lists;
        }

        Assert.Equal(answers["Simd"], answers["Onnx"]);
    }
}
