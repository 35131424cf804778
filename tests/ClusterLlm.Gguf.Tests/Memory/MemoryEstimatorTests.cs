using ClusterLlm.Gguf.Memory;

namespace ClusterLlm.Gguf.Tests.Memory;

public sealed class MemoryEstimatorTests
{
    private static GgufFacts Facts(int layers = 4, int kvHeads = 2, int headSize = 64) => new()
    {
        Layers = layers,
        EmbeddingLength = 512,
        FeedForwardLength = 1024,
        HeadCount = 8,
        HeadCountKv = kvHeads,
        HeadCountKvPerLayer = Enumerable.Repeat(kvHeads, layers).ToArray(),
        KeyLength = headSize,
        ValueLength = headSize,
        VocabSize = 1000,
        LayerTensorBytes = Enumerable.Repeat(1000L, layers).ToArray(),
        OutputTensorBytes = 300,
        InputTensorBytes = 200,
        TensorBytes = (layers * 1000L) + 500,
    };

    [TestCase(KvCacheType.F16, KvCacheType.F16, 2 * 128 * 2)]
    [TestCase(KvCacheType.Q8_0, KvCacheType.Q8_0, 2 * 4 * 34)]
    [TestCase(KvCacheType.Q4_0, KvCacheType.F16, (4 * 18) + (128 * 2))]
    public void Estimate_KvCacheTypes_SizesRowsLikeLlamaCpp(KvCacheType k, KvCacheType v, int bytesPerTokenPerLayer)
    {
        var estimate = MemoryEstimator.Estimate(Facts(), new EstimateSettings { ContextSize = 1000, ParallelSlots = 3, CacheTypeK = k, CacheTypeV = v });

        // 1000 tokens pad to 1024 per sequence; three sequences; four layers of 2 KV heads x 64.
        Assert.That(estimate.KvCacheTokens, Is.EqualTo(3 * 1024));
        Assert.That(estimate.Total.KvCache, Is.EqualTo(4L * 3 * 1024 * bytesPerTokenPerLayer));
    }

    [Test]
    public void Estimate_PerLayerKvHeads_SumsEachLayer()
    {
        var facts = Facts() with { HeadCountKvPerLayer = [2, 0, 4, 2] };

        var estimate = MemoryEstimator.Estimate(facts, new EstimateSettings { ContextSize = 256 });

        Assert.That(estimate.Total.KvCache, Is.EqualTo(256L * (2 + 0 + 4 + 2) * 64 * 2 * 2));
    }

    [Test]
    public void Estimate_PartialOffload_PutsLastLayersOnDevice()
    {
        var settings = new EstimateSettings { ContextSize = 256, GpuLayers = 3 };

        var estimate = MemoryEstimator.Estimate(Facts(), settings);

        var layerKv = 256L * 2 * 64 * 2 * 2;
        Assert.Multiple(() =>
        {
            Assert.That(estimate.OffloadedLayers, Is.EqualTo(3));
            Assert.That(estimate.Device.Weights, Is.EqualTo(3000), "three layers, and not the output head");
            Assert.That(estimate.Host.Weights, Is.EqualTo(1500));
            Assert.That(estimate.Device.KvCache, Is.EqualTo(3 * layerKv));
            Assert.That(estimate.Host.KvCache, Is.EqualTo(layerKv));
            Assert.That(estimate.Device.Compute, Is.GreaterThan(0));
            Assert.That(estimate.Total.Total, Is.EqualTo(estimate.Device.Total + estimate.Host.Total));
        });
    }

    [TestCase(-1, 4300)]
    [TestCase(5, 4300)]
    [TestCase(4, 4000)]
    [TestCase(0, 0)]
    public void Estimate_GpuLayers_OffloadsOutputHeadOnlyPastTheLastLayer(int gpuLayers, long deviceWeights)
    {
        var estimate = MemoryEstimator.Estimate(Facts(), new EstimateSettings { GpuLayers = gpuLayers });

        Assert.That(estimate.Device.Weights, Is.EqualTo(deviceWeights));
        Assert.That(estimate.FitsDevice(estimate.Device.Total), Is.True);
        Assert.That(estimate.FitsDevice(estimate.Device.Total - 1), Is.False);
    }

    [Test]
    public void Estimate_QuantizedCacheOnIndivisibleRows_ThrowsNamingTheSetting()
    {
        var e = Assert.Throws<ArgumentException>(() => MemoryEstimator.Estimate(Facts(kvHeads: 1, headSize: 40), new EstimateSettings { CacheTypeK = KvCacheType.Q8_0 }));

        Assert.That(e!.ParamName, Is.EqualTo("CacheTypeK"));
    }

    [TestCase(0, 1, "ContextSize")]
    [TestCase(512, 0, "ParallelSlots")]
    [TestCase(512, 257, "ParallelSlots")]
    public void Estimate_BadSettings_ThrowsNamingTheField(int context, int slots, string field)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimator.Estimate(Facts(), new EstimateSettings { ContextSize = context, ParallelSlots = slots }));

        Assert.That(e!.ParamName, Is.EqualTo(field));
    }

    [Test]
    public void Estimate_QuantizedValueCacheWithoutFlashAttention_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => MemoryEstimator.Estimate(Facts(), new EstimateSettings { CacheTypeV = KvCacheType.Q8_0, FlashAttention = false }));

        Assert.That(e!.ParamName, Is.EqualTo("CacheTypeV"));
    }

    [Test]
    public void Estimate_NoBlockCount_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => MemoryEstimator.Estimate(new GgufFacts(), new EstimateSettings()));
    }
}
