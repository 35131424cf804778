using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>
/// A reusable <c>llama_batch</c> allocated once by <c>llama_batch_init</c> and written through pointers, so building
/// a batch each step allocates nothing. Each token belongs to exactly one sequence.
/// </summary>
public sealed unsafe class LlamaBatch : IDisposable
{
    private LlamaNativeBatch _batch;
    private bool _disposed;

    public LlamaBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _batch = LlamaNative.llama_batch_init(capacity, 0, 1);
        if (_batch.token is null)
        {
            throw new LlamaException($"llama_batch_init could not allocate a batch of {capacity} tokens.");
        }
    }

    ~LlamaBatch() => Free();

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>Empties the batch for the next step.</summary>
    public void Clear() => Count = 0;

    /// <summary>Appends a token and returns its batch index (the index to read its logits at when <paramref name="logits"/> is set).</summary>
    public int Add(int token, int position, int sequence, bool logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Count >= Capacity)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} tokens).");
        }
        var i = Count++;
        _batch.token[i] = token;
        _batch.pos[i] = position;
        _batch.n_seq_id[i] = 1;
        _batch.seq_id[i][0] = sequence;
        _batch.logits[i] = logits ? (sbyte)1 : (sbyte)0;
        return i;
    }

    /// <summary>The token at a batch index.</summary>
    public int TokenAt(int index) => _batch.token[index];

    internal LlamaNativeBatch View(int offset, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new LlamaNativeBatch
        {
            n_tokens = count,
            token = _batch.token + offset,
            embd = null,
            pos = _batch.pos + offset,
            n_seq_id = _batch.n_seq_id + offset,
            seq_id = _batch.seq_id + offset,
            logits = _batch.logits + offset,
        };
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (!_disposed)
        {
            _disposed = true;
            LlamaNative.llama_batch_free(_batch);
        }
    }
}
