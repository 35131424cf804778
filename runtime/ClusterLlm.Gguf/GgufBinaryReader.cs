using System.Buffers.Binary;
using System.Text;

namespace ClusterLlm.Gguf;

/// <summary>
/// Little-endian primitive reader over a seekable stream with a small buffer of its own, so that a
/// multi-gigabyte file is read piecemeal and every read is checked against the bytes that remain.
/// </summary>
internal sealed class GgufBinaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream stream;
    private readonly string? path;
    private readonly byte[] buffer = new byte[64 * 1024];
    private int bufferStart;
    private int bufferEnd;

    public GgufBinaryReader(Stream stream, string? path)
    {
        this.stream = stream;
        this.path = path;
        Length = stream.Length;
        Position = stream.Position;
    }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public GgufFormatException Error(string message, long? offset = null) => new(message, offset ?? Position, path);

    public byte ReadByte(string what) => Take(1, what)[0];

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    public float ReadSingle(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));

    public double ReadDouble(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>Reads a length-prefixed UTF-8 string no longer than <paramref name="maxLength"/> bytes.</summary>
    public string ReadString(string what, long maxLength)
    {
        var start = Position;
        var length = ReadUInt64(what + " length");
        if (length > (ulong)Remaining)
        {
            throw Error($"{what} declares {length} bytes but only {Remaining} remain in the file", start);
        }

        if (length > (ulong)maxLength)
        {
            throw Error($"{what} is {length} bytes, above the limit of {maxLength}", start);
        }

        var n = (int)length;
        try
        {
            if (n <= buffer.Length)
            {
                return StrictUtf8.GetString(Take(n, what));
            }

            var bytes = new byte[n];
            ReadExactly(bytes, what);
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"{what} is not valid UTF-8", start);
        }
    }

    /// <summary>Skips a length-prefixed string without keeping it.</summary>
    public void SkipString(string what)
    {
        var start = Position;
        var length = ReadUInt64(what + " length");
        if (length > (ulong)Remaining)
        {
            throw Error($"{what} declares {length} bytes but only {Remaining} remain in the file", start);
        }

        Skip((long)length);
    }

    public void Skip(long count)
    {
        if (count > Remaining)
        {
            throw Error($"cannot skip {count} bytes: only {Remaining} remain in the file");
        }

        var buffered = bufferEnd - bufferStart;
        if (count <= buffered)
        {
            bufferStart += (int)count;
        }
        else
        {
            stream.Seek(Position + count, SeekOrigin.Begin);
            bufferStart = bufferEnd = 0;
        }

        Position += count;
    }

    private void ReadExactly(byte[] destination, string what)
    {
        var copied = 0;
        while (copied < destination.Length)
        {
            var chunk = Math.Min(buffer.Length, destination.Length - copied);
            Take(chunk, what).CopyTo(destination.AsSpan(copied));
            copied += chunk;
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw Error($"file ends while reading {what}: {count} bytes needed, {Remaining} remain");
        }

        if (bufferEnd - bufferStart < count)
        {
            Fill(count, what);
        }

        var span = buffer.AsSpan(bufferStart, count);
        bufferStart += count;
        Position += count;
        return span;
    }

    private void Fill(int count, string what)
    {
        var kept = bufferEnd - bufferStart;
        Buffer.BlockCopy(buffer, bufferStart, buffer, 0, kept);
        bufferStart = 0;
        bufferEnd = kept;
        while (bufferEnd < count)
        {
            var read = stream.Read(buffer, bufferEnd, buffer.Length - bufferEnd);
            if (read == 0)
            {
                throw Error($"stream ended early while reading {what}");
            }

            bufferEnd += read;
        }
    }
}
