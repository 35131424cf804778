using ClusterLlm.LlamaCpp;

namespace ClusterLlm.Runtime.Scheduling;

/// <summary>A request's sampler chain, plus its grammar kept apart so prompt tokens reach the penalties only.</summary>
internal sealed class SlotSampler(LlamaSampler chain, LlamaSampler? grammar) : IDisposable
{
    public LlamaSampler Chain { get; } = chain;

    public LlamaSampler? Grammar { get; } = grammar;

    public int Sample(LlamaContext context, int index) =>
        Grammar is null ? Chain.Sample(context, index) : Chain.Sample(context, index, Grammar);

    public void Dispose()
    {
        Chain.Dispose();
        Grammar?.Dispose();
    }
}

/// <summary>Turns <see cref="SamplingOptions"/> into llama.cpp samplers, in llama-server's order.</summary>
internal static class SamplerChainBuilder
{
    /// <summary>llama.cpp's <c>LLAMA_DEFAULT_SEED</c>: draw a random seed.</summary>
    private const uint RandomSeed = 0xFFFFFFFF;

    /// <summary>
    /// Builds the chain for one request. With <paramref name="ignoreEos"/>, the <paramref name="endOfGeneration"/> tokens are
    /// banned through the logit bias, as llama-server does for <c>ignore_eos</c>.
    /// </summary>
    public static SlotSampler Build(SamplingOptions options, LlamaVocab vocab, bool ignoreEos, IReadOnlyList<int> endOfGeneration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(vocab);
        var chain = new LlamaSampler();
        LlamaSampler? grammar = null;
        try
        {
            var biases = new Dictionary<int, float>(options.LogitBias);
            if (ignoreEos)
            {
                foreach (var token in endOfGeneration)
                {
                    biases[token] = float.NegativeInfinity;
                }
            }
            if (biases.Count > 0)
            {
                chain.AddLogitBias(vocab, biases);
            }
            chain.AddPenalties(options.RepeatLastN, options.RepeatPenalty, options.FrequencyPenalty, options.PresencePenalty);
            if (options.Temperature <= 0)
            {
                chain.AddGreedy();
            }
            else
            {
                chain.AddTopK(options.TopK)
                    .AddTopP(options.TopP)
                    .AddMinP(options.MinP)
                    .AddTemperature(options.Temperature)
                    .AddDistribution(options.Seed ?? RandomSeed);
            }
            if (options.JsonObject)
            {
                grammar = new LlamaSampler().AddGrammar(vocab, JsonGrammar.Object);
            }
            return new SlotSampler(chain, grammar);
        }
        catch
        {
            chain.Dispose();
            grammar?.Dispose();
            throw;
        }
    }
}
