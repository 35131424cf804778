using ClusterLlm.Gguf.TestModel;

namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaMemoryReportTests
{
    [Test]
    public void Measure_TinyModel_ReportsWeightsKvAndCompute()
    {
        var preset = TestModelPreset.Tiny;
        var settings = new LlamaContextSettings { ContextSize = 1024, Sequences = 2, Threads = 1 };

        var report = LlamaMemoryReport.Measure(TestModels.Tiny, settings);

        // K and V, F16, for every layer and cell: the KV cache size follows from the shape alone.
        var kvWidth = preset.EmbeddingLength / preset.HeadCount * preset.KvHeadCount;
        var expectedKv = 2L * 2 * preset.LayerCount * kvWidth * 1024;
        Assert.That(report.KvBytes, Is.EqualTo(expectedKv).Within(10 * 1024));
        Assert.That(report.ModelBytes, Is.GreaterThan(0).And.LessThanOrEqualTo(new FileInfo(TestModels.Tiny).Length));
        Assert.That(report.ComputeBytes, Is.GreaterThan(0));
        Assert.That(report.TotalBytes, Is.EqualTo(report.Buffers.Sum(b => b.Bytes)));
    }

    [Test]
    public void Measure_WithoutMmap_ReportsAPrivateModelBuffer()
    {
        var settings = new LlamaContextSettings { ContextSize = 256, Sequences = 1, Threads = 1 };

        var mapped = LlamaMemoryReport.Measure(TestModels.Tiny, settings);
        var read = LlamaMemoryReport.Measure(TestModels.Tiny, settings, new LlamaModelSettings { UseMmap = false });

        Assert.That(mapped.Buffers.Where(b => b.Kind == LlamaBufferKind.Model).Select(b => b.Buffer), Does.Contain("CPU_Mapped"));
        Assert.That(read.Buffers.Where(b => b.Kind == LlamaBufferKind.Model).Select(b => b.Buffer), Does.Not.Contain("CPU_Mapped"));
        Assert.That(read.ModelBytes, Is.EqualTo(mapped.ModelBytes).Within(64 * 1024));
    }

    [Test]
    public void Parse_LlamaCppLines_ReadsEachBufferAndIgnoresTheRest()
    {
        var report = LlamaMemoryReport.Parse(
        [
            "load_tensors:   CPU_Mapped model buffer size =     8.62 MiB",
            "load_tensors:        CUDA0 model buffer size =  1024.00 MiB",
            "llama_kv_cache:        CPU KV buffer size =     0.25 MiB",
            "llama_context:        CPU  output buffer size =     0.12 MiB",
            "sched_reserve:        CPU compute buffer size =     1.51 MiB",
            "print_info: n_ctx_train = 4096",
        ]);

        Assert.That(report.Buffers, Has.Count.EqualTo(5));
        Assert.That(report.ModelBytes, Is.EqualTo((long)Math.Round(8.62 * 1048576) + 1024L * 1048576));
        Assert.That(report.Buffers[1], Is.EqualTo(new LlamaBufferSize(LlamaBufferKind.Model, "CUDA0", 1024L * 1048576)));
        Assert.That(report.KvBytes, Is.EqualTo(262144));
        Assert.That(report.OutputBytes, Is.EqualTo((long)Math.Round(0.12 * 1048576)));
        Assert.That(report.ComputeBytes, Is.EqualTo((long)Math.Round(1.51 * 1048576)));
    }
}
