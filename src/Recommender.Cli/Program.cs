using System.CommandLine;

var root = new RootCommand("Recommender: MovieLens-style rating prediction and top-N recommendation.");
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
