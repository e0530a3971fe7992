namespace Recommender.Serving;

/// <summary>Which ONNX Runtime execution provider to ask for.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when it can really be used, else CPU with a warning.</summary>
    Auto,

    /// <summary>CUDA or refuse: a GPU deployment must not fall back to CPU silently.</summary>
    Cuda,

    /// <summary>CPU only.</summary>
    Cpu,
}
