namespace ClusterLlm.Gguf;

/// <summary>
/// The header, metadata and tensor infos of one GGUF file (one part of a split model). Tensor data is
/// never read: only its extent is checked against the file's size.
/// </summary>
public sealed class GgufFile
{
    /// <summary>Default alignment of the data section when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    /// <summary>The most dimensions a ggml tensor can have (GGML_MAX_DIMS).</summary>
    public const int MaxDimensions = 4;

    /// <summary>The longest tensor name ggml accepts, in bytes (GGML_MAX_NAME minus the terminator).</summary>
    public const int MaxTensorNameLength = 63;

    internal GgufFile(string? path, uint version, IReadOnlyDictionary<string, GgufValue> metadata, IReadOnlyList<GgufTensorInfo> tensors, int alignment, long dataOffset, long fileSize)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        FileSize = fileSize;
    }

    public string? Path { get; }

    public uint Version { get; }

    /// <summary>Metadata in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    public int Alignment { get; }

    /// <summary>Byte offset of the tensor data section.</summary>
    public long DataOffset { get; }

    public long FileSize { get; }

    /// <summary>Bytes of tensor data, padding between tensors included.</summary>
    public long DataSize => FileSize - DataOffset;

    /// <summary>Reads a GGUF file's header, metadata and tensor infos. Throws only <see cref="GgufFormatException"/> for bad content.</summary>
    public static GgufFile Read(string path, GgufReaderOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, options, path);
    }

    /// <summary>Reads from a seekable stream positioned at the start of a GGUF file.</summary>
    public static GgufFile Read(Stream stream, GgufReaderOptions? options = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the GGUF reader needs a seekable stream, to check lengths against the file size", nameof(stream));
        }

        try
        {
            return new GgufParser(new GgufBinaryReader(stream, path), options ?? GgufReaderOptions.Default).Parse(path);
        }
        catch (IOException e)
        {
            throw new GgufFormatException($"{path ?? "stream"}: I/O error while reading GGUF: {e.Message}", e);
        }
    }
}
