using System.Buffers;
using System.Text;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>
/// A model's tokenizer (<c>llama_vocab</c>). It is immutable once the model is loaded, so every member is safe to
/// call from any thread, concurrently with decoding on the engine thread.
/// </summary>
public sealed class LlamaVocab
{
    private readonly LlamaModel _model;
    private readonly IntPtr _vocab;

    internal LlamaVocab(LlamaModel model, IntPtr vocab)
    {
        _model = model;
        _vocab = vocab;
        Count = LlamaNative.llama_vocab_n_tokens(vocab);
    }

    /// <summary>Number of tokens.</summary>
    public int Count { get; }

    public int Bos => LlamaNative.llama_vocab_bos(Live());

    public int Eos => LlamaNative.llama_vocab_eos(Live());

    /// <summary>Whether tokenizing with <c>addSpecial</c> prepends BOS.</summary>
    public bool AddsBos => LlamaNative.llama_vocab_get_add_bos(Live());

    /// <summary>End of generation: EOS, EOT or any other token the model declares as ending a turn.</summary>
    public bool IsEndOfGeneration(int token) => LlamaNative.llama_vocab_is_eog(Live(), token);

    public bool IsControl(int token) => LlamaNative.llama_vocab_is_control(Live(), token);

    /// <summary>Tokenizes UTF-8 text as llama-server does for prompts (<paramref name="addSpecial"/> adds BOS/EOS as the model asks; <paramref name="parseSpecial"/> turns special-token text into special tokens).</summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        return Tokenize(bytes, addSpecial, parseSpecial);
    }

    /// <inheritdoc cref="Tokenize(string, bool, bool)"/>
    public unsafe int[] Tokenize(ReadOnlySpan<byte> utf8, bool addSpecial, bool parseSpecial)
    {
        var vocab = Live();
        var capacity = utf8.Length + 2;
        while (true)
        {
            var tokens = new int[capacity];
            fixed (byte* text = utf8)
            fixed (int* output = tokens)
            {
                var count = LlamaNative.llama_tokenize(vocab, text, utf8.Length, output, capacity, addSpecial, parseSpecial);
                if (count >= 0)
                {
                    return count == capacity ? tokens : tokens[..count];
                }
                if (count == int.MinValue)
                {
                    throw new ArgumentException("The text is too long to tokenize (over 2^31 tokens).", nameof(utf8));
                }
                capacity = -count;
            }
        }
    }

    /// <summary>
    /// Writes the bytes of one token into <paramref name="destination"/> and returns how many were written, or the
    /// negated size needed when it is too small. A piece may be part of a multibyte UTF-8 character.
    /// </summary>
    public unsafe int TokenToPiece(int token, Span<byte> destination, bool special)
    {
        fixed (byte* buffer = destination)
        {
            return LlamaNative.llama_token_to_piece(Live(), token, buffer, destination.Length, 0, special);
        }
    }

    /// <summary>The bytes of one token, appended to <paramref name="output"/>.</summary>
    public void AppendPiece(int token, bool special, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(64);
        var written = TokenToPiece(token, span, special);
        if (written < 0)
        {
            span = output.GetSpan(-written);
            written = TokenToPiece(token, span, special);
        }
        output.Advance(written);
    }

    /// <summary>Turns tokens back into text; invalid UTF-8 (a split multibyte character) becomes U+FFFD.</summary>
    public unsafe string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool unparseSpecial = false)
    {
        var vocab = Live();
        var capacity = Math.Max(16, tokens.Length * 8);
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                fixed (int* input = tokens)
                fixed (byte* text = buffer)
                {
                    var length = LlamaNative.llama_detokenize(vocab, input, tokens.Length, text, buffer.Length, removeSpecial, unparseSpecial);
                    if (length >= 0)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, length);
                    }
                    capacity = -length;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    internal IntPtr Pointer => Live();

    private IntPtr Live()
    {
        ObjectDisposedException.ThrowIf(_model.Handle.IsClosed, _model);
        return _vocab;
    }
}
