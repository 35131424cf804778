using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary><c>struct llama_context_params</c>, field for field in llama.h's order.</summary>
[NativeStruct("llama_context_params")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint n_ctx;
    public uint n_batch;
    public uint n_ubatch;
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;
    public uint n_outputs_max_per_seq;
    public int n_threads;
    public int n_threads_batch;
    public LlamaContextType ctx_type;
    public LlamaRopeScalingType rope_scaling_type;
    public LlamaPoolingType pooling_type;
    public LlamaAttentionType attention_type;
    public int flash_attn_type;
    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;
    public IntPtr cb_eval;
    public IntPtr cb_eval_user_data;
    public int type_k;
    public int type_v;
    public IntPtr abort_callback;
    public IntPtr abort_callback_data;
    public CBool embeddings;
    public CBool offload_kqv;
    public CBool no_perf;
    public CBool op_offload;
    public CBool swa_full;
    public CBool kv_unified;
    public IntPtr samplers;
    public nuint n_samplers;
    public IntPtr ctx_other;
}
