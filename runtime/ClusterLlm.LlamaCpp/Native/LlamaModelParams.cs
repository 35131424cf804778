using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary><c>struct llama_model_params</c>, field for field in llama.h's order.</summary>
[NativeStruct("llama_model_params")]
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public IntPtr devices;
    public IntPtr tensor_buft_overrides;
    public int n_gpu_layers;
    public LlamaSplitMode split_mode;
    public LlamaLoadMode load_mode;
    public LlamaLazyMode lazy_mode;
    public int main_gpu;
    public IntPtr tensor_split;
    public IntPtr progress_callback;
    public IntPtr progress_callback_user_data;
    public IntPtr kv_overrides;
    public CBool vocab_only;
    public CBool check_tensors;
    public CBool use_extra_bufts;
    public CBool no_host;
    public CBool no_alloc;
    public CBool load_mtp;
}
