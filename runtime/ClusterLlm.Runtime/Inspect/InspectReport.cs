using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using ClusterLlm.Gguf;
using ClusterLlm.Gguf.Memory;

namespace ClusterLlm.Runtime.Inspect;

/// <summary>What <c>inspect</c> prints: the model's facts and the memory estimate for the given settings.</summary>
internal sealed record InspectReport(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("gguf")] GgufFacts Facts,
    [property: JsonPropertyName("settings")] EstimateSettings Settings,
    [property: JsonPropertyName("estimate")] MemoryEstimate Estimate)
{
    public string ToText()
    {
        var f = Facts;
        var text = new StringBuilder();
        void Line(string label, object? value) => text.AppendLine(CultureInfo.InvariantCulture, $"{label,-16}{value ?? "-"}");

        Line("model", $"{Path} ({f.SplitCount} file(s), {MemoryBreakdown.Format(f.FileBytes)})");
        Line("architecture", f.Architecture);
        Line("name", f.Name);
        Line("parameters", Parameters(f.Parameters));
        Line("file type", f.FileType);
        Line("context length", f.ContextLength);
        Line("layers", f.Layers);
        Line("embedding", f.EmbeddingLength);
        Line("feed-forward", f.FeedForwardLength);
        Line("heads", f.HeadCount is null ? null : $"{f.HeadCount} (KV {f.HeadCountKv}), key/value length {f.KeyLength}/{f.ValueLength}");
        if (f.ExpertCount is > 0)
        {
            Line("experts", $"{f.ExpertCount} ({f.ExpertUsedCount} used)");
        }

        Line("vocabulary", f.VocabSize);
        Line("chat template", f.HasChatTemplate ? "yes" : "no");
        Line("tensors", $"{f.TensorCount}, {MemoryBreakdown.Format(f.TensorBytes)}");
        text.AppendLine();

        var s = Settings;
        var e = Estimate;
        text.AppendLine(CultureInfo.InvariantCulture, $"memory estimate: context {s.ContextSize} x {s.ParallelSlots} slot(s) ({e.KvCacheTokens} KV cells), K {s.CacheTypeK}, V {s.CacheTypeV}, ubatch {s.UbatchSize}, flash attention {(s.FlashAttention ? "on" : "off")}");
        Line("  weights", MemoryBreakdown.Format(e.Total.Weights));
        Line("  KV cache", MemoryBreakdown.Format(e.Total.KvCache));
        Line("  compute", MemoryBreakdown.Format(e.Total.Compute));
        Line("  total", MemoryBreakdown.Format(e.Total.Total));
        Line("  on GPU", $"{MemoryBreakdown.Format(e.Device.Total)} ({e.OffloadedLayers} of {f.Layers} layers: {e.Device})");
        Line("  on host", $"{MemoryBreakdown.Format(e.Host.Total)} ({e.Host})");
        return text.ToString();
    }

    private static string Parameters(long count) => count switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e9:0.##}B ({count})"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e6:0.##}M ({count})"),
        _ => count.ToString(CultureInfo.InvariantCulture),
    };
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(InspectReport))]
internal sealed partial class InspectJsonContext : JsonSerializerContext;
