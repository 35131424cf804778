using ClusterLlm.Gguf.Memory;
using ClusterLlm.Gguf.TestModel;
using ClusterLlm.LlamaCpp;

namespace ClusterLlm.Gguf.Tests.Memory;

/// <summary>
/// The estimator against what llama.cpp itself reports allocating (model, KV, compute and output buffers)
/// on CPU, for the llama-architecture test models, across contexts, slot counts, KV types and attention
/// kernels. The whole must land within 10%; weights and KV cache are computed exactly.
/// </summary>
public sealed class MemoryEstimatorLlamaCppTests
{
    private TempDirectory models = null!;

    [OneTimeSetUp]
    public void WriteModels()
    {
        models = new TempDirectory();
        var vocab = TestModelWriter.FindDefaultVocab() ?? throw new InvalidOperationException("no vocabulary GGUF: run `make setup`");
        foreach (var preset in TestModelPreset.All)
        {
            TestModelWriter.Write(models.File(preset.Name + ".gguf"), preset, 1, vocab);
        }
    }

    [OneTimeTearDown]
    public void DeleteModels() => models.Dispose();

    [TestCase("tiny", 512, 1, KvCacheType.F16, true, true)]
    [TestCase("small", 1000, 3, KvCacheType.Q8_0, true, true)]
    [TestCase("small", 700, 4, KvCacheType.F16, false, true)]
    [TestCase("tiny", 512, 1, KvCacheType.F16, true)]
    [TestCase("tiny", 300, 3, KvCacheType.F16, true)]
    [TestCase("tiny", 8192, 1, KvCacheType.F16, false)]
    [TestCase("tiny", 512, 8, KvCacheType.F16, false)]
    [TestCase("small", 2048, 1, KvCacheType.F16, true)]
    [TestCase("small", 4096, 4, KvCacheType.Q8_0, true)]
    [TestCase("small", 1024, 4, KvCacheType.Q4_0, true)]
    [TestCase("small", 2048, 2, KvCacheType.F16, false)]
    [TestCase("bench", 2048, 1, KvCacheType.F16, true)]
    [TestCase("bench", 4096, 4, KvCacheType.Q8_0, true)]
    [TestCase("bench", 512, 8, KvCacheType.Q4_0, true)]
    [TestCase("bench", 8192, 1, KvCacheType.F16, false)]
    public void Estimate_TestModelOnCpu_WithinTenPercentOfLlamaCpp(string preset, int context, int slots, KvCacheType kvType, bool flashAttention, bool kvUnified = false)
    {
        var path = models.File(preset + ".gguf");
        var measured = LlamaMemoryReport.Measure(path, new LlamaContextSettings
        {
            ContextSize = (uint)(context * slots),
            Sequences = (uint)slots,
            CacheTypeK = kvType,
            CacheTypeV = kvType,
            FlashAttention = flashAttention ? FlashAttention.Auto : FlashAttention.Off,
            KvUnified = kvUnified,
        });

        var estimate = MemoryEstimator.Estimate(GgufFacts.From(GgufModel.Open(path)), new EstimateSettings
        {
            ContextSize = context,
            ParallelSlots = slots,
            CacheTypeK = kvType,
            CacheTypeV = kvType,
            FlashAttention = flashAttention,
            KvUnified = kvUnified,
            GpuLayers = 0,
        });

        var llamaCompute = measured.ComputeBytes + measured.OutputBytes;
        TestContext.Out.WriteLine(
            $"{preset} ctx {context} x {slots} {kvType} FA {flashAttention} unified {kvUnified}: llama.cpp model {measured.ModelBytes} KV {measured.KvBytes} compute+output {llamaCompute} total {measured.TotalBytes}; "
            + $"estimate {estimate.Total.Weights} / {estimate.Total.KvCache} / {estimate.Total.Compute} / {estimate.Total.Total} "
            + $"({(estimate.Total.Total - measured.TotalBytes) * 100.0 / measured.TotalBytes:+0.00;-0.00;0.00}%, compute {(estimate.Total.Compute - llamaCompute) * 100.0 / llamaCompute:+0.0;-0.0;0.0}%)");
        // llama.cpp prints MiB with two decimals, so every reported buffer is exact only to 5 KiB.
        const long printed = 6 * 1024;
        Assert.Multiple(() =>
        {
            Assert.That(estimate.Total.Total, Is.EqualTo(measured.TotalBytes).Within(10).Percent);
            Assert.That(estimate.Total.Weights, Is.EqualTo(measured.ModelBytes).Within(printed));
            Assert.That(estimate.Total.KvCache, Is.EqualTo(measured.KvBytes).Within(printed));
            Assert.That(estimate.Total.Compute, Is.EqualTo(llamaCompute).Within(20).Percent);
            Assert.That(estimate.Host.Total, Is.EqualTo(estimate.Total.Total), "gpuLayers 0 keeps everything on the host");
        });
    }
}
