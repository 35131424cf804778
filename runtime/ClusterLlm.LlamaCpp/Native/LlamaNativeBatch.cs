using System.Runtime.InteropServices;

namespace ClusterLlm.LlamaCpp.Native;

/// <summary><c>struct llama_batch</c>: passed to <c>llama_decode</c> by value, its arrays owned by <c>llama_batch_init</c>.</summary>
[NativeStruct("llama_batch")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaNativeBatch
{
    public int n_tokens;
    public int* token;
    public float* embd;
    public int* pos;
    public int* n_seq_id;
    public int** seq_id;
    public sbyte* logits;
}
