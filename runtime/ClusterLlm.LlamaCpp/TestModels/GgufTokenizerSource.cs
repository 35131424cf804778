using System.Buffers.Binary;
using System.Text;

namespace ClusterLlm.LlamaCpp.TestModels;

/// <summary>
/// Reads the <c>tokenizer.*</c> key-value pairs of a vocab-only GGUF (llama.cpp's <c>models/ggml-vocab-*.gguf</c>)
/// as raw encoded entries, so a test model can carry a real tokenizer byte for byte.
/// </summary>
internal static class GgufTokenizerSource
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian

    /// <summary>Each entry is the complete encoded KV (key, type, value), ready to write into another GGUF.</summary>
    public static IReadOnlyList<(string Key, byte[] Encoded)> ReadTokenizerEntries(string path)
    {
        var data = File.ReadAllBytes(path);
        var reader = new Reader(data, path);
        if (reader.U32() != Magic)
        {
            throw new InvalidDataException($"{path} is not a GGUF file (bad magic).");
        }
        var version = reader.U32();
        if (version is < 2 or > 3)
        {
            throw new InvalidDataException($"{path} has GGUF version {version}; versions 2 and 3 are supported.");
        }
        reader.U64(); // tensor count: vocab files hold none, and tensors are not copied
        var kvCount = reader.U64();
        var entries = new List<(string, byte[])>();
        for (ulong i = 0; i < kvCount; i++)
        {
            var start = reader.Position;
            var key = reader.String();
            var type = reader.U32();
            reader.SkipValue(type);
            if (key.StartsWith("tokenizer.", StringComparison.Ordinal))
            {
                entries.Add((key, data[start..reader.Position]));
            }
        }
        if (!entries.Any(e => e.Item1 == "tokenizer.ggml.tokens"))
        {
            throw new InvalidDataException($"{path} holds no tokenizer.ggml.tokens: it is not a vocabulary GGUF.");
        }
        return entries;
    }

    private sealed class Reader(byte[] data, string path)
    {
        public int Position { get; private set; }

        public uint U32()
        {
            var value = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            return value;
        }

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public string String() => Encoding.UTF8.GetString(Take(checked((int)U64())));

        public void SkipValue(uint type)
        {
            switch (type)
            {
                case 9:
                    var elementType = U32();
                    var count = U64();
                    for (ulong i = 0; i < count; i++)
                    {
                        SkipValue(elementType);
                    }
                    break;
                case 8:
                    Take(checked((int)U64()));
                    break;
                default:
                    Take(ScalarSize(type));
                    break;
            }
        }

        private int ScalarSize(uint type) => type switch
        {
            0 or 1 or 7 => 1,
            2 or 3 => 2,
            4 or 5 or 6 => 4,
            10 or 11 or 12 => 8,
            _ => throw new InvalidDataException($"{path} has an unknown GGUF value type {type} at byte {Position}."),
        };

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || Position + count > data.Length)
            {
                throw new InvalidDataException($"{path} is truncated at byte {Position}.");
            }
            var span = data.AsSpan(Position, count);
            Position += count;
            return span;
        }
    }
}
