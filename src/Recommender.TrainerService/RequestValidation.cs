using Recommender.Contracts.V1;
using Recommender.Hosting;

namespace Recommender.TrainerService;

/// <summary>
/// What the contract itself rules out, checked at the top of every RPC before any lookup: strings
/// over their length bound (one quoted back in an error would not fit in the status trailer, and
/// no real value is that long) and enum values the contract does not define (stored as
/// UNSPECIFIED they would train something nobody asked for). INVALID_ARGUMENT naming the field;
/// the job system checks meaning.
/// </summary>
internal static class RequestValidation
{
    /// <summary>Job ids are GUIDs written as 32 hex digits; nothing longer names a job.</summary>
    public const int MaxJobIdLength = 32;

    /// <summary>Model names are 1-64 characters; the bound leaves room without quoting megabytes.</summary>
    public const int MaxModelNameLength = 128;

    public const int MaxSplitLength = 64;

    public const int MaxDatasetFolderLength = 256;

    public const int MaxDatasetNameLength = 64;

    public static void Check(StartTrainingRequest request)
    {
        ModelName("model_name", request.ModelName);
        ContractChecks.MaxLength("split", request.Split, MaxSplitLength, "a split");
        switch (request.Dataset?.SourceCase)
        {
            case DatasetSource.SourceOneofCase.Folder:
                ContractChecks.MaxLength("dataset.folder", request.Dataset.Folder, MaxDatasetFolderLength, "a dataset folder");
                break;
            case DatasetSource.SourceOneofCase.Movielens:
                ContractChecks.MaxLength("dataset.movielens", request.Dataset.Movielens, MaxDatasetNameLength, "a dataset name");
                break;
        }

        if (request.Mf is { } mf)
        {
            ContractChecks.Defined("mf.variant", mf.Variant);
        }

        if (request.Neural is { } neural)
        {
            ContractChecks.Defined("neural.architecture", neural.Architecture);
            ContractChecks.Defined("neural.embedding_updates", neural.EmbeddingUpdates);
        }
    }

    public static void Check(WatchTrainingRequest request) => JobId(request.JobId);

    public static void Check(GetTrainingJobRequest request) => JobId(request.JobId);

    public static void Check(CancelTrainingRequest request) => JobId(request.JobId);

    public static void Check(ListModelVersionsRequest request) => ModelName("model_name", request.ModelName);

    public static void Check(DownloadModelVersionRequest request) => ModelName("model_name", request.ModelName);

    private static void JobId(string id) => ContractChecks.MaxLength("job_id", id, MaxJobIdLength, "a job id");

    private static void ModelName(string field, string name) => ContractChecks.MaxLength(field, name, MaxModelNameLength, "a model name");
}
