using System.Numerics;

namespace ClusterLlm.Gguf;

/// <summary>
/// Parses the GGUF layout (gguf.cpp in llama.cpp is the reference) and rejects anything that llama.cpp
/// would reject, checking each count against the remaining bytes before allocating for it.
/// </summary>
internal sealed class GgufParser(GgufBinaryReader reader, GgufReaderOptions options)
{
    private const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32

    // The smallest encodings: a key/value is a key length, a type and a one-byte value; a tensor info is
    // a name length, a dimension count, one dimension, a type and an offset.
    private const int MinMetadataEntryBytes = 8 + 4 + 1;
    private const int MinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

    private long metadataBytes;

    public GgufFile Parse(string? path)
    {
        var magic = reader.ReadUInt32("magic");
        if (magic != Magic)
        {
            throw reader.Error($"not a GGUF file: magic is 0x{magic:X8}, expected 0x{Magic:X8} (\"GGUF\")", 0);
        }

        var version = reader.ReadUInt32("version");
        if (version is 1)
        {
            throw reader.Error("GGUF version 1 is not supported (llama.cpp dropped it); convert the file to version 3", 4);
        }

        if (version is not (2 or 3))
        {
            var hint = BinaryReverse(version) is 2 or 3 ? " (this looks like a big-endian GGUF, which is not supported)" : string.Empty;
            throw reader.Error($"unsupported GGUF version {version}{hint}", 4);
        }

        var tensorCount = ReadCount("tensor count", options.MaxTensors, MinTensorInfoBytes);
        var metadataCount = ReadCount("metadata entry count", options.MaxMetadataEntries, MinMetadataEntryBytes);

        var metadata = ReadMetadata(metadataCount);
        var alignment = ReadAlignment(metadata);
        var tensors = ReadTensorInfos(tensorCount, alignment);

        var dataOffset = AlignUp(reader.Position, alignment);
        var dataNeeded = tensors.Count == 0 ? 0 : checked((long)tensors[^1].Offset + tensors[^1].ByteSize);
        var available = reader.Length - dataOffset;
        if (tensors.Count > 0 && dataNeeded > available)
        {
            throw reader.Error($"file is truncated: tensor data needs {dataNeeded} bytes after offset {dataOffset}, but the file has {Math.Max(0, available)}", dataOffset);
        }

        return new GgufFile(path, version, metadata, tensors, alignment, Math.Min(dataOffset, reader.Length), reader.Length);
    }

    private long ReadCount(string what, long limit, int minEntryBytes)
    {
        var start = reader.Position;
        var count = reader.ReadUInt64(what);
        if (count > (ulong)limit)
        {
            throw reader.Error($"{what} {count} is above the limit of {limit}", start);
        }

        if (count > (ulong)(reader.Remaining / minEntryBytes))
        {
            throw reader.Error($"{what} {count} cannot fit in the {reader.Remaining} bytes left in the file", start);
        }

        return (long)count;
    }

    private Dictionary<string, GgufValue> ReadMetadata(long count)
    {
        var metadata = new Dictionary<string, GgufValue>((int)count, StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            var keyOffset = reader.Position;
            var key = reader.ReadString($"key of metadata entry {i}", options.MaxKeyLength);
            if (key.Length == 0)
            {
                throw reader.Error($"metadata entry {i} has an empty key", keyOffset);
            }

            var type = ReadValueType($"type of metadata '{key}'");
            var value = ReadValue(type, key);
            if (!metadata.TryAdd(key, value))
            {
                throw reader.Error($"duplicate metadata key '{key}'", keyOffset);
            }
        }

        return metadata;
    }

    private GgufValueType ReadValueType(string what)
    {
        var start = reader.Position;
        var code = reader.ReadUInt32(what);
        if (code > (uint)GgufValueType.Float64)
        {
            throw reader.Error($"{what} has unknown value type code {code}", start);
        }

        return (GgufValueType)code;
    }

    private GgufValue ReadValue(GgufValueType type, string key)
    {
        if (type == GgufValueType.Array)
        {
            return new GgufValue(type, ReadArray(key));
        }

        return new GgufValue(type, ReadScalar(type, key, keep: true)!);
    }

    private object? ReadScalar(GgufValueType type, string key, bool keep)
    {
        var what = $"value of metadata '{key}'";
        switch (type)
        {
            case GgufValueType.UInt8: return reader.ReadByte(what);
            case GgufValueType.Int8: return (sbyte)reader.ReadByte(what);
            case GgufValueType.UInt16: return reader.ReadUInt16(what);
            case GgufValueType.Int16: return (short)reader.ReadUInt16(what);
            case GgufValueType.UInt32: return reader.ReadUInt32(what);
            case GgufValueType.Int32: return (int)reader.ReadUInt32(what);
            case GgufValueType.Float32: return reader.ReadSingle(what);
            case GgufValueType.UInt64: return reader.ReadUInt64(what);
            case GgufValueType.Int64: return (long)reader.ReadUInt64(what);
            case GgufValueType.Float64: return reader.ReadDouble(what);
            case GgufValueType.Bool:
                var start = reader.Position;
                var b = reader.ReadByte(what);
                return b switch
                {
                    0 => false,
                    1 => true,
                    _ => throw reader.Error($"{what} is a bool with invalid byte {b}", start),
                };
            case GgufValueType.String:
                if (!keep)
                {
                    reader.SkipString(what);
                    return null;
                }

                var s = reader.ReadString(what, options.MaxStringLength);
                metadataBytes += s.Length;
                if (metadataBytes > options.MaxMetadataBytes)
                {
                    throw reader.Error($"metadata strings exceed the limit of {options.MaxMetadataBytes} bytes at '{key}'");
                }

                return s;
            default:
                throw reader.Error($"{what} has type {type}, which cannot appear here");
        }
    }

    private GgufArray ReadArray(string key)
    {
        var elementType = ReadValueType($"element type of array '{key}'");
        if (elementType == GgufValueType.Array)
        {
            throw reader.Error($"array '{key}' holds arrays, which GGUF does not allow", reader.Position - 4);
        }

        var countOffset = reader.Position;
        var count = reader.ReadUInt64($"length of array '{key}'");
        var elementBytes = ScalarSize(elementType);
        if (count > (ulong)(reader.Remaining / elementBytes))
        {
            throw reader.Error($"array '{key}' declares {count} {elementType} elements, which cannot fit in the {reader.Remaining} bytes left", countOffset);
        }

        var length = (long)count;
        if (length > options.MaxMaterializedArrayElements)
        {
            if (elementType == GgufValueType.String)
            {
                for (long i = 0; i < length; i++)
                {
                    ReadScalar(elementType, key, keep: false);
                }
            }
            else
            {
                reader.Skip(length * elementBytes);
            }

            return new GgufArray(elementType, length, null);
        }

        var items = new object[length];
        for (long i = 0; i < length; i++)
        {
            items[i] = ReadScalar(elementType, key, keep: true)!;
        }

        return new GgufArray(elementType, length, items);
    }

    // Bytes of one element; for strings, the smallest encoding (an empty string's length prefix).
    private static int ScalarSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8,
    };

    private int ReadAlignment(Dictionary<string, GgufValue> metadata)
    {
        if (!metadata.TryGetValue("general.alignment", out var value))
        {
            return GgufFile.DefaultAlignment;
        }

        if (value.Value is not uint alignment || alignment == 0 || !BitOperations.IsPow2(alignment) || alignment > 1 << 20)
        {
            throw reader.Error($"general.alignment must be a uint32 power of two up to 1 MiB, got {value.Type} {value}");
        }

        return (int)alignment;
    }

    private List<GgufTensorInfo> ReadTensorInfos(long count, int alignment)
    {
        var tensors = new List<GgufTensorInfo>((int)Math.Min(count, 4096));
        var names = new HashSet<string>(StringComparer.Ordinal);
        long expectedOffset = 0;
        for (long i = 0; i < count; i++)
        {
            var start = reader.Position;
            var name = reader.ReadString($"name of tensor {i}", GgufFile.MaxTensorNameLength);
            if (!names.Add(name))
            {
                throw reader.Error($"duplicate tensor name '{name}'", start);
            }

            var dimsOffset = reader.Position;
            var nDims = reader.ReadUInt32($"dimension count of tensor '{name}'");
            if (nDims is 0 or > GgufFile.MaxDimensions)
            {
                throw reader.Error($"tensor '{name}' has {nDims} dimensions; ggml allows 1 to {GgufFile.MaxDimensions}", dimsOffset);
            }

            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var dimOffset = reader.Position;
                var dim = reader.ReadUInt64($"dimension {d} of tensor '{name}'");
                if (dim == 0 || dim > long.MaxValue || (ulong)elements > (ulong)long.MaxValue / dim)
                {
                    throw reader.Error($"tensor '{name}' dimension {d} is {dim}: dimensions must be positive and their product must fit in int64", dimOffset);
                }

                dims[d] = (long)dim;
                elements *= (long)dim;
            }

            var typeOffset = reader.Position;
            var type = (GgmlType)reader.ReadUInt32($"type of tensor '{name}'");
            if (!GgmlTypeTraits.TryGet(type, out var blockSize, out var typeSize))
            {
                throw reader.Error($"tensor '{name}' has unknown or removed ggml type {(uint)type}", typeOffset);
            }

            if (dims[0] % blockSize != 0)
            {
                throw reader.Error($"tensor '{name}' has {dims[0]} elements per row, not a multiple of the {type} block size {blockSize}", dimsOffset);
            }

            var rows = elements / dims[0];
            var rowBytes = dims[0] / blockSize * typeSize;
            if (rows > long.MaxValue / rowBytes)
            {
                throw reader.Error($"tensor '{name}' is too large: {elements} elements of {type}", dimsOffset);
            }

            var byteSize = rows * rowBytes;
            var offsetAt = reader.Position;
            var offset = reader.ReadUInt64($"data offset of tensor '{name}'");
            if (offset != (ulong)expectedOffset)
            {
                throw reader.Error($"tensor '{name}' has data offset {offset}, expected {expectedOffset} (tensors must be stored in order, each aligned to {alignment})", offsetAt);
            }

            if (byteSize > long.MaxValue - alignment - expectedOffset)
            {
                throw reader.Error($"tensor '{name}' ends beyond the largest possible file", offsetAt);
            }

            expectedOffset = AlignUp(expectedOffset + byteSize, alignment);
            tensors.Add(new GgufTensorInfo(name, dims, type, offset, elements, byteSize));
        }

        return tensors;
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private static uint BinaryReverse(uint value) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
}
