using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary><c>llama_token_data</c>: one candidate in a sampler's working set.</summary>
[NativeStruct("llama_token_data")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenData
{
    public int id;
    public float logit;
    public float p;
}

/// <summary><c>llama_token_data_array</c>: the candidates a sampler applies to.</summary>
[NativeStruct("llama_token_data_array")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* data;
    public nuint size;
    public long selected;
    public CBool sorted;
}

/// <summary><c>llama_logit_bias</c>: an additive bias on one token's logit.</summary>
[NativeStruct("llama_logit_bias")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaLogitBias
{
    public int token;
    public float bias;
}

/// <summary><c>llama_sampler_chain_params</c>.</summary>
[NativeStruct("llama_sampler_chain_params")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public CBool no_perf;
}

/// <summary><c>llama_sampler_seq_config</c>: referenced by <see cref="LlamaContextParams.samplers"/>.</summary>
[NativeStruct("llama_sampler_seq_config")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerSeqConfig
{
    public int seq_id;
    public IntPtr sampler;
}

/// <summary><c>llama_chat_message</c>: one turn handed to <c>llama_chat_apply_template</c>.</summary>
[NativeStruct("llama_chat_message")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessage
{
    public IntPtr role;
    public IntPtr content;
}
