namespace ClusterLlm.Gguf;

/// <summary>
/// A GGUF file is malformed, truncated or exceeds a reader limit. The message names what was wrong
/// and the byte offset where the reader found it.
/// </summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException()
    {
    }

    public GgufFormatException(string message)
        : base(message)
    {
    }

    public GgufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GgufFormatException(string message, long offset, string? path = null)
        : base(path is null ? $"{message} (at byte offset {offset})" : $"{path}: {message} (at byte offset {offset})")
    {
        Offset = offset;
        FilePath = path;
    }

    /// <summary>Byte offset in the file where the problem was found, when known.</summary>
    public long? Offset { get; }

    /// <summary>The file that was being read, when known.</summary>
    public string? FilePath { get; }
}
