using System.Buffers.Binary;
using System.Text;

namespace ClusterLlm.Gguf;

/// <summary>
/// Writes GGUF version 3 files: metadata, tensor infos and tensor data supplied by the caller. Used to
/// build fixtures (split models, large files for benchmarks) and the random-weight test models without a
/// native toolchain. Tensor data streams from the callbacks straight to the output, so a file of any size
/// never sits in memory.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValue Value)> metadata = [];
    private readonly List<(string Name, long[] Dimensions, GgmlType Type, Action<Stream> WriteData)> tensors = [];

    public GgufWriter Add(string key, GgufValueType type, object value) => Add(key, new GgufValue(type, value));

    /// <summary>Adds a value as read by <see cref="GgufFile"/>; arrays must be materialised (see <see cref="GgufReaderOptions.MaxMaterializedArrayElements"/>).</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Value is GgufArray { Items: null })
        {
            throw new ArgumentException($"metadata '{key}' is an array the reader did not materialise; read it with a higher MaxMaterializedArrayElements", nameof(value));
        }

        metadata.Add((key, value));
        return this;
    }

    public GgufWriter AddString(string key, string value) => Add(key, GgufValueType.String, value);

    public GgufWriter AddUInt32(string key, uint value) => Add(key, GgufValueType.UInt32, value);

    public GgufWriter AddFloat32(string key, float value) => Add(key, GgufValueType.Float32, value);

    /// <summary>Adds a tensor whose bytes <paramref name="writeData"/> writes (exactly the tensor's byte size).</summary>
    public GgufWriter AddTensor(string name, long[] dimensions, GgmlType type, Action<Stream> writeData)
    {
        tensors.Add((name, dimensions, type, writeData));
        return this;
    }

    /// <summary>Adds a tensor filled with a repeating byte pattern.</summary>
    public GgufWriter AddTensor(string name, long[] dimensions, GgmlType type, byte fill = 0)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var bytes = GgmlTypeTraits.RowBytes(type, dimensions[0]) * dimensions.Skip(1).Aggregate(1L, (a, b) => a * b);
        return AddTensor(name, dimensions, type, s => WriteFill(s, bytes, fill));
    }

    /// <summary>
    /// Writes the file beside <paramref name="path"/> and renames it into place, so a reader never sees a
    /// half-written file and a failed write leaves nothing behind.
    /// </summary>
    public void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var partial = path + ".partial";
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(stream);
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var alignment = metadata.FirstOrDefault(m => m.Key == "general.alignment").Value?.Value is uint a ? (int)a : GgufFile.DefaultAlignment;
        var start = stream.Position;
        WriteUInt32(stream, 0x46554747);
        WriteUInt32(stream, 3);
        WriteUInt64(stream, (ulong)tensors.Count);
        WriteUInt64(stream, (ulong)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            WriteString(stream, key);
            WriteUInt32(stream, (uint)value.Type);
            WriteValue(stream, value.Type, value.Value);
        }

        long offset = 0;
        var sizes = new long[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, dims, type, _) = tensors[i];
            WriteString(stream, name);
            WriteUInt32(stream, (uint)dims.Length);
            foreach (var d in dims)
            {
                WriteUInt64(stream, (ulong)d);
            }

            WriteUInt32(stream, (uint)type);
            WriteUInt64(stream, (ulong)offset);
            sizes[i] = GgmlTypeTraits.RowBytes(type, dims[0]) * dims.Skip(1).Aggregate(1L, (x, y) => x * y);
            offset = Align(offset + sizes[i], alignment);
        }

        Pad(stream, start, alignment);
        var dataStart = stream.Position;
        for (var i = 0; i < tensors.Count; i++)
        {
            var before = stream.Position;
            tensors[i].WriteData(stream);
            if (stream.Position - before != sizes[i])
            {
                throw new InvalidOperationException($"tensor '{tensors[i].Name}' wrote {stream.Position - before} bytes, expected {sizes[i]}");
            }

            if (i < tensors.Count - 1)
            {
                Pad(stream, dataStart, alignment);
            }
        }
    }

    private static void WriteValue(Stream s, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: s.WriteByte((byte)value); break;
            case GgufValueType.Int8: s.WriteByte((byte)(sbyte)value); break;
            case GgufValueType.UInt16: WriteBytes(s, 2, b => BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value)); break;
            case GgufValueType.Int16: WriteBytes(s, 2, b => BinaryPrimitives.WriteInt16LittleEndian(b, (short)value)); break;
            case GgufValueType.UInt32: WriteUInt32(s, (uint)value); break;
            case GgufValueType.Int32: WriteBytes(s, 4, b => BinaryPrimitives.WriteInt32LittleEndian(b, (int)value)); break;
            case GgufValueType.Float32: WriteBytes(s, 4, b => BinaryPrimitives.WriteSingleLittleEndian(b, (float)value)); break;
            case GgufValueType.Bool: s.WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(s, (string)value); break;
            case GgufValueType.UInt64: WriteUInt64(s, (ulong)value); break;
            case GgufValueType.Int64: WriteBytes(s, 8, b => BinaryPrimitives.WriteInt64LittleEndian(b, (long)value)); break;
            case GgufValueType.Float64: WriteBytes(s, 8, b => BinaryPrimitives.WriteDoubleLittleEndian(b, (double)value)); break;
            case GgufValueType.Array:
                var array = (GgufArray)value;
                var items = array.Items ?? throw new ArgumentException("cannot write an array that was not materialised", nameof(value));
                WriteUInt32(s, (uint)array.ElementType);
                WriteUInt64(s, (ulong)items.Count);
                foreach (var item in items)
                {
                    WriteValue(s, array.ElementType, item);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GGUF value type");
        }
    }

    private static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteUInt32(Stream s, uint value) => WriteBytes(s, 4, b => BinaryPrimitives.WriteUInt32LittleEndian(b, value));

    private static void WriteUInt64(Stream s, ulong value) => WriteBytes(s, 8, b => BinaryPrimitives.WriteUInt64LittleEndian(b, value));

    private static void WriteBytes(Stream s, int count, SpanAction write)
    {
        Span<byte> buffer = stackalloc byte[8];
        write(buffer[..count]);
        s.Write(buffer[..count]);
    }

    private delegate void SpanAction(Span<byte> buffer);

    private static void Pad(Stream s, long origin, int alignment)
    {
        var position = s.Position - origin;
        s.Write(new byte[Align(position, alignment) - position]);
    }

    private static void WriteFill(Stream s, long bytes, byte fill)
    {
        var chunk = new byte[(int)Math.Min(bytes, 1 << 20)];
        Array.Fill(chunk, fill);
        for (var left = bytes; left > 0; left -= chunk.Length)
        {
            s.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }
    }

    private static long Align(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
