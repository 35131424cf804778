using System.Globalization;

namespace ClusterLlm.Gguf.Memory;

/// <summary>Bytes of model weights, KV cache and compute buffers.</summary>
public sealed record MemoryBreakdown(long Weights, long KvCache, long Compute)
{
    public long Total => Weights + KvCache + Compute;

    public override string ToString() =>
        $"weights {Format(Weights)} + KV {Format(KvCache)} + compute {Format(Compute)}";

    /// <summary>Formats bytes in binary units, as llama.cpp and Kubernetes quantities do.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0#}GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0#}MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0#}KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes}B"),
    };
}

/// <summary>
/// The estimate for one replica: the whole (<see cref="Total"/>), split into what lands on the GPU
/// (<see cref="Device"/>) and what stays in host memory (<see cref="Host"/>).
/// </summary>
public sealed record MemoryEstimate(MemoryBreakdown Total, MemoryBreakdown Device, MemoryBreakdown Host, int OffloadedLayers, long KvCacheTokens)
{
    /// <summary>True when the device part fits in <paramref name="availableBytes"/>.</summary>
    public bool FitsDevice(long availableBytes) => Device.Total <= availableBytes;
}
