using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary>
/// Entry points of libllama, mirrored from the pinned <c>include/llama.h</c>. Signatures are blittable; C
/// <c>bool</c> crosses as <see cref="CBool"/> (one byte). <see cref="SuppressGCTransitionAttribute"/> marks only
/// calls that return in well under a microsecond and never block or call back; never <c>llama_decode</c>.
/// </summary>
internal static unsafe partial class LlamaNative
{
    private const string Llama = "llama";

    // Process and logging.
    [LibraryImport(Llama)]
    public static partial void llama_backend_init();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_print_system_info();

    [LibraryImport(Llama)]
    public static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    [LibraryImport(Llama)]
    public static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(Llama)]
    public static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(Llama)]
    public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    [LibraryImport(Llama)]
    public static partial nuint llama_max_parallel_sequences();

    [LibraryImport(Llama)]
    public static partial CBool llama_supports_gpu_offload();

    // Model.
    [LibraryImport(Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_model_load_from_file(string path, LlamaModelParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_model_free(IntPtr model);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_embd(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_layer(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_head(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_head_kv(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_swa(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_size(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buffer, nuint size);

    [LibraryImport(Llama)]
    public static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, byte* key, byte* buffer, nuint size);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_model_chat_template(SafeLlamaModelHandle model, byte* name);

    [LibraryImport(Llama)]
    public static partial CBool llama_model_is_recurrent(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial CBool llama_model_is_hybrid(SafeLlamaModelHandle model);

    // Context.
    [LibraryImport(Llama)]
    public static partial IntPtr llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_free(IntPtr context);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial uint llama_n_ctx(SafeLlamaContextHandle context);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial uint llama_n_ctx_seq(SafeLlamaContextHandle context);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial uint llama_n_batch(SafeLlamaContextHandle context);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial uint llama_n_ubatch(SafeLlamaContextHandle context);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial uint llama_n_seq_max(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial int llama_n_threads(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_get_memory(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial int llama_decode(SafeLlamaContextHandle context, LlamaNativeBatch batch);

    [LibraryImport(Llama)]
    public static partial void llama_synchronize(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial float* llama_get_logits_ith(SafeLlamaContextHandle context, int index);

    // Batch.
    [LibraryImport(Llama)]
    public static partial LlamaNativeBatch llama_batch_init(int tokens, int embd, int seqMax);

    [LibraryImport(Llama)]
    public static partial void llama_batch_free(LlamaNativeBatch batch);

    // Memory (KV cache).
    [LibraryImport(Llama)]
    public static partial void llama_memory_clear(IntPtr memory, CBool data);

    [LibraryImport(Llama)]
    public static partial CBool llama_memory_seq_rm(IntPtr memory, int seq, int p0, int p1);

    [LibraryImport(Llama)]
    public static partial void llama_memory_seq_cp(IntPtr memory, int source, int destination, int p0, int p1);

    [LibraryImport(Llama)]
    public static partial void llama_memory_seq_keep(IntPtr memory, int seq);

    [LibraryImport(Llama)]
    public static partial int llama_memory_seq_pos_min(IntPtr memory, int seq);

    [LibraryImport(Llama)]
    public static partial int llama_memory_seq_pos_max(IntPtr memory, int seq);

    // Vocabulary. The vocab is immutable after load, so these are safe from any thread.
    [LibraryImport(Llama), SuppressGCTransition]
    public static partial int llama_vocab_n_tokens(IntPtr vocab);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial CBool llama_vocab_is_eog(IntPtr vocab, int token);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial CBool llama_vocab_is_control(IntPtr vocab, int token);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial int llama_vocab_bos(IntPtr vocab);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial int llama_vocab_eos(IntPtr vocab);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial int llama_vocab_eot(IntPtr vocab);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial CBool llama_vocab_get_add_bos(IntPtr vocab);

    [LibraryImport(Llama)]
    public static partial int llama_vocab_type(IntPtr vocab);

    [LibraryImport(Llama)]
    public static partial int llama_tokenize(IntPtr vocab, byte* text, int textLength, int* tokens, int maxTokens, CBool addSpecial, CBool parseSpecial);

    [LibraryImport(Llama), SuppressGCTransition]
    public static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buffer, int length, int lstrip, CBool special);

    [LibraryImport(Llama)]
    public static partial int llama_detokenize(IntPtr vocab, int* tokens, int count, byte* text, int maxLength, CBool removeSpecial, CBool unparseSpecial);

    [LibraryImport(Llama)]
    public static partial int llama_chat_apply_template(byte* template, LlamaChatMessage* chat, nuint count, CBool addAssistant, byte* buffer, int length);

    // Sampling.
    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr sampler);

    [LibraryImport(Llama)]
    public static partial int llama_sampler_chain_n(SafeLlamaSamplerHandle chain);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_free(IntPtr sampler);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_accept(SafeLlamaSamplerHandle sampler, int token);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_apply(SafeLlamaSamplerHandle sampler, LlamaTokenDataArray* candidates);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_reset(SafeLlamaSamplerHandle sampler);

    [LibraryImport(Llama)]
    public static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int index);

    [LibraryImport(Llama)]
    public static partial uint llama_sampler_get_seed(SafeLlamaSamplerHandle sampler);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_greedy();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_dist(uint seed);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_top_k(int k);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_temp(float temperature);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_penalties(int lastN, float repeat, float frequency, float presence);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_logit_bias(int vocabSize, int count, LlamaLogitBias* biases);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_grammar(IntPtr vocab, byte* grammar, byte* root);
}
