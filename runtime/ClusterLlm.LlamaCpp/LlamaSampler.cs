using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>
/// A llama.cpp sampler chain (<c>llama_sampler_chain_init</c> plus <c>llama_sampler_init_*</c>). Samplers run in the
/// order added; the chain owns and frees them. Not thread-safe: it belongs to one sequence on the engine thread.
/// </summary>
public sealed class LlamaSampler : IDisposable
{
    private readonly SafeLlamaSamplerHandle _chain;
    private LlamaTokenData[]? _candidates;

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

    /// <summary>
    /// Samples under <paramref name="constraint"/> (a grammar) and accepts the token into both chains. Like
    /// llama-server, it first samples without the constraint and keeps that token when the constraint allows it;
    /// only otherwise does it apply the constraint to the whole vocabulary (costly for a grammar) and sample again.
    /// Keeping the constraint separate lets prompt tokens reach the penalties through <see cref="Accept"/> without
    /// being fed to the grammar.
    /// </summary>
    public unsafe int Sample(LlamaContext context, int index, LlamaSampler constraint)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(constraint);
        var logits = context.Logits(index);
        var candidates = _candidates ??= new LlamaTokenData[logits.Length];
        fixed (LlamaTokenData* data = candidates)
        {
            var chosen = Select(_chain, logits, data, null);
            var single = new LlamaTokenData { id = chosen, logit = 1, p = 0 };
            var check = new LlamaTokenDataArray { data = &single, size = 1, selected = -1, sorted = false };
            LlamaNative.llama_sampler_apply(constraint._chain, &check);
            if (float.IsNegativeInfinity(check.data[0].logit))
            {
                chosen = Select(_chain, logits, data, constraint._chain);
            }
            constraint.Accept(chosen);
            Accept(chosen);
            return chosen;
        }
    }

    private static unsafe int Select(SafeLlamaSamplerHandle chain, ReadOnlySpan<float> logits, LlamaTokenData* data, SafeLlamaSamplerHandle? first)
    {
        for (var token = 0; token < logits.Length; token++)
        {
            data[token] = new LlamaTokenData { id = token, logit = logits[token], p = 0 };
        }
        var array = new LlamaTokenDataArray { data = data, size = (nuint)logits.Length, selected = -1, sorted = false };
        if (first is not null)
        {
            LlamaNative.llama_sampler_apply(first, &array);
        }
        LlamaNative.llama_sampler_apply(chain, &array);
        if (array.selected < 0 || (nuint)array.selected >= array.size)
        {
            throw new LlamaException("The sampler chain selected no token: it must end in a greedy or distribution sampler.");
        }
        return array.data[array.selected].id;
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
