using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>
/// A llama.cpp sampler chain (<c>llama_sampler_chain_init</c> plus <c>llama_sampler_init_*</c>). Samplers run in the
/// order added; the chain owns and frees them. Not thread-safe: it belongs to one sequence on the engine thread.
/// </summary>
public sealed class LlamaSampler : IDisposable
{
    private readonly SafeLlamaSamplerHandle _chain;

    public LlamaSampler()
    {
        LlamaBackend.Initialize();
        var parameters = LlamaNative.llama_sampler_chain_default_params();
        parameters.no_perf = true;
        _chain = new SafeLlamaSamplerHandle(LlamaNative.llama_sampler_chain_init(parameters));
    }

    /// <summary>Samplers in the chain.</summary>
    public int Count => LlamaNative.llama_sampler_chain_n(_chain);

    public LlamaSampler AddGreedy() => Add(LlamaNative.llama_sampler_init_greedy(), "greedy");

    /// <summary>Draws from the distribution; a fixed seed makes the draw reproducible.</summary>
    public LlamaSampler AddDistribution(uint seed) => Add(LlamaNative.llama_sampler_init_dist(seed), "dist");

    public LlamaSampler AddTemperature(float temperature) => Add(LlamaNative.llama_sampler_init_temp(temperature), "temp");

    public LlamaSampler AddTopK(int k) => Add(LlamaNative.llama_sampler_init_top_k(k), "top_k");

    public LlamaSampler AddTopP(float p, int minKeep = 1) => Add(LlamaNative.llama_sampler_init_top_p(p, (nuint)minKeep), "top_p");

    public LlamaSampler AddMinP(float p, int minKeep = 1) => Add(LlamaNative.llama_sampler_init_min_p(p, (nuint)minKeep), "min_p");

    /// <summary>Repeat (multiplicative), frequency and presence (additive) penalties over the last <paramref name="lastN"/> accepted tokens.</summary>
    public LlamaSampler AddPenalties(int lastN, float repeat, float frequency, float presence) =>
        Add(LlamaNative.llama_sampler_init_penalties(lastN, repeat, frequency, presence), "penalties");

    /// <summary>Adds <c>bias</c> to each listed token's logit (negative infinity bans it).</summary>
    public unsafe LlamaSampler AddLogitBias(LlamaVocab vocab, IReadOnlyDictionary<int, float> biases)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(biases);
        var native = biases.Select(b => new LlamaLogitBias { token = b.Key, bias = b.Value }).ToArray();
        fixed (LlamaLogitBias* pointer = native)
        {
            return Add(LlamaNative.llama_sampler_init_logit_bias(vocab.Count, native.Length, pointer), "logit_bias");
        }
    }

    /// <summary>Constrains output to a GBNF grammar; throws <see cref="ArgumentException"/> when llama.cpp cannot parse it.</summary>
    public unsafe LlamaSampler AddGrammar(LlamaVocab vocab, string grammar, string root = "root")
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentException.ThrowIfNullOrEmpty(grammar);
        var grammarBytes = System.Text.Encoding.UTF8.GetBytes(grammar + '\0');
        var rootBytes = System.Text.Encoding.UTF8.GetBytes(root + '\0');
        fixed (byte* g = grammarBytes)
        fixed (byte* r = rootBytes)
        {
            var sampler = LlamaNative.llama_sampler_init_grammar(vocab.Pointer, g, r);
            if (sampler == IntPtr.Zero)
            {
                throw new ArgumentException("llama.cpp could not parse the grammar.", nameof(grammar));
            }
            return Add(sampler, "grammar");
        }
    }

    /// <summary>Samples from the logits at batch index <paramref name="index"/> of the context's last decode, and accepts the token.</summary>
    public int Sample(LlamaContext context, int index)
    {
        ArgumentNullException.ThrowIfNull(context);
        return LlamaNative.llama_sampler_sample(_chain, context.Handle, index);
    }

    /// <summary>Feeds a token the chain did not sample (a prompt token) into its state, e.g. for penalties.</summary>
    public void Accept(int token) => LlamaNative.llama_sampler_accept(_chain, token);

    public void Reset() => LlamaNative.llama_sampler_reset(_chain);

    public void Dispose() => _chain.Dispose();

    private LlamaSampler Add(IntPtr sampler, string name)
    {
        if (sampler == IntPtr.Zero)
        {
            throw new LlamaException($"llama.cpp could not create the {name} sampler.");
        }
        LlamaNative.llama_sampler_chain_add(_chain, sampler);
        return this;
    }
}
