using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Scheduling;

/// <summary>Checks every <see cref="EngineOptions"/> field and reports all problems at once, each naming its flag.</summary>
internal sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    /// <summary>llama.cpp's <c>LLAMA_MAX_SEQ</c>.</summary>
    public const int MaxParallel = 256;

    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            errors.Add("--model (ModelPath) is required.");
        }
        if (options.Parallel is < 1 or > MaxParallel)
        {
            errors.Add($"--parallel (Parallel) must be between 1 and {MaxParallel}; it is {options.Parallel}.");
        }
        if (options.ContextSize < 0)
        {
            errors.Add($"--ctx-size (ContextSize) must be 0 (the model's trained length) or positive; it is {options.ContextSize}.");
        }
        else if (options.ContextSize > 0 && options.Parallel >= 1 && options.ContextSize / options.Parallel < 16)
        {
            errors.Add($"--ctx-size (ContextSize) {options.ContextSize} leaves fewer than 16 tokens per slot for --parallel {options.Parallel}.");
        }
        if (options.BatchSize < 1)
        {
            errors.Add($"--batch-size (BatchSize) must be positive; it is {options.BatchSize}.");
        }
        if (options.UbatchSize < 1 || options.UbatchSize > options.BatchSize)
        {
            errors.Add($"--ubatch-size (UbatchSize) must be between 1 and --batch-size ({options.BatchSize}); it is {options.UbatchSize}.");
        }
        if (options.GpuLayers < -1)
        {
            errors.Add($"--n-gpu-layers (GpuLayers) must be -1 (all) or at least 0; it is {options.GpuLayers}.");
        }
        if (options.Threads < 0)
        {
            errors.Add($"--threads (Threads) must be 0 (one per physical core) or positive; it is {options.Threads}.");
        }
        if (options.MaxQueue < 0)
        {
            errors.Add($"--max-queue (MaxQueue) must be 0 or positive; it is {options.MaxQueue}.");
        }
        if (!Enum.IsDefined(options.FlashAttention))
        {
            errors.Add($"--flash-attn (FlashAttention) must be auto, on or off; it is {options.FlashAttention}.");
        }
        if (!Enum.IsDefined(options.CacheTypeK))
        {
            errors.Add($"--cache-type-k (CacheTypeK) is not a KV cache type: {options.CacheTypeK}.");
        }
        if (!Enum.IsDefined(options.CacheTypeV))
        {
            errors.Add($"--cache-type-v (CacheTypeV) is not a KV cache type: {options.CacheTypeV}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
