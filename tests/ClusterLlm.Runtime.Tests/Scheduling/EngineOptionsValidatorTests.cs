using ClusterLlm.Gguf.Memory;
using ClusterLlm.LlamaCpp;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Tests.Scheduling;

public sealed class EngineOptionsValidatorTests
{
    private readonly EngineOptionsValidator _validator = new();

    [Test]
    public void Validate_Defaults_WithAModel_Succeed()
    {
        var result = _validator.Validate(null, new EngineOptions { ModelPath = "/models/m.gguf" });

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public void Validate_EveryFieldWrong_ReportsEachByItsFlag()
    {
        var options = new EngineOptions
        {
            ModelPath = " ",
            Parallel = 0,
            ContextSize = -1,
            BatchSize = 0,
            UbatchSize = -3,
            GpuLayers = -2,
            Threads = -1,
            MaxQueue = -1,
            FlashAttention = (FlashAttention)7,
            CacheTypeK = (KvCacheType)99,
            CacheTypeV = (KvCacheType)98,
        };

        var result = _validator.Validate(null, options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.Failures!.Count(), Is.EqualTo(11));
        foreach (var flag in new[] { "--model", "--parallel", "--ctx-size", "--batch-size", "--ubatch-size", "--n-gpu-layers", "--threads", "--max-queue", "--flash-attn", "--cache-type-k", "--cache-type-v" })
        {
            Assert.That(result.Failures, Has.Some.StartsWith(flag), flag);
        }
    }

    [Test]
    public void Validate_ContextTooSmallForTheSlots_NamesBoth()
    {
        var result = _validator.Validate(null, new EngineOptions { ModelPath = "m.gguf", ContextSize = 64, Parallel = 8 });

        Assert.That(result.FailureMessage, Does.Contain("--ctx-size").And.Contain("--parallel 8"));
    }

    [Test]
    public void EffectiveAlias_NoAlias_IsTheFileNameWithoutExtension()
    {
        Assert.That(new EngineOptions { ModelPath = "/models/qwen-7b.Q4_K_M.gguf" }.EffectiveAlias, Is.EqualTo("qwen-7b.Q4_K_M"));
        Assert.That(new EngineOptions { ModelPath = "/m.gguf", Alias = "chat" }.EffectiveAlias, Is.EqualTo("chat"));
    }
}
