// The host project's namespace Recommender.InferenceService hides the generated InferenceService class.
global using InferenceApi = Recommender.Contracts.V1.InferenceService;
