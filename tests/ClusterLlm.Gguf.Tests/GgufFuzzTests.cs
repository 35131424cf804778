using ClusterLlm.Gguf.Memory;
using CsCheck;

namespace ClusterLlm.Gguf.Tests;

/// <summary>
/// Mutation fuzzing of the reader, the facts and the estimator. Seeds are real GGUFs: the head of each
/// llama.cpp vocabulary file, each vocabulary file's metadata rewritten with tensors into a small
/// complete GGUF, and a llama-shaped model. Every mutated input must end in a parsed file or a
/// <see cref="GgufFormatException"/>, nothing else.
/// </summary>
public sealed class GgufFuzzTests
{
    // The full run; the seed makes a failure reproducible (CsCheck prints the failing case's seed).
    private const long Iterations = 100_000;
    private const string Seed = "0N0XIzNsQ0O2";

    private static readonly Lazy<byte[][]> CompleteSeeds = new(() =>
        [
            Fixtures.TinyLlama().ToBytes(),
            Fixtures.TinyLlama(layers: 1, vocab: 8).ToBytes(),
            .. Fixtures.VocabFiles.Select(path => Derive(GgufFile.Read(path))),
        ]);

    private static readonly Lazy<byte[][]> Seeds = new(() => [.. CompleteSeeds.Value, .. Fixtures.VocabFiles.Select(Head)]);

    private static byte[] Head(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 8192)];
        stream.ReadExactly(head);
        return head;
    }

    // The real file's metadata (long arrays cut to their first entries' worth) plus a few tensors.
    private static byte[] Derive(GgufFile real)
    {
        var writer = new GgufWriter();
        foreach (var (key, value) in real.Metadata)
        {
            if (value.AsArray() is { Items: null } skipped)
            {
                var stand = skipped.ElementType == GgufValueType.String
                    ? Enumerable.Range(0, 16).Select(i => (object)$"tok{i}").ToArray()
                    : [];
                writer.Add(key, GgufValueType.Array, new GgufArray(skipped.ElementType, stand.Length, stand));
            }
            else
            {
                writer.Add(key, value.Type, value.Value);
            }
        }

        writer.AddTensor("token_embd.weight", [64, 16], GgmlType.Q8_0, 1).AddTensor("blk.0.attn_norm.weight", [64], GgmlType.F32, 2);
        return writer.ToBytes();
    }

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 3, 4, 7, 8, 9, 12, 13, 31, 32, 63, 64, 255, 256, 4096, 65535, 65536,
        int.MaxValue, uint.MaxValue, (ulong)uint.MaxValue + 1, long.MaxValue, ulong.MaxValue, 1UL << 40, 1UL << 62,
    ];

    internal static byte[] Mutate(byte[] seed, int rngSeed)
    {
        var random = new Random(rngSeed);
        var data = new List<byte>(seed);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && data.Count > 0; m++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    var value = BitConverter.GetBytes(Interesting[random.Next(Interesting.Length)]);
                    var width = random.Next(2) == 0 ? 4 : 8;
                    for (var i = 0; i < width && at + i < data.Count; i++)
                    {
                        data[at + i] = value[i];
                    }

                    break;
                case 3:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 4:
                    data.RemoveRange(at, Math.Min(random.Next(1, 64), data.Count - at));
                    break;
                case 5:
                    var from = random.Next(data.Count);
                    data.InsertRange(at, data.GetRange(from, Math.Min(random.Next(1, 64), data.Count - from)));
                    break;
                default:
                    var bytes = new byte[random.Next(1, 16)];
                    random.NextBytes(bytes);
                    data.InsertRange(at, bytes);
                    break;
            }
        }

        return [.. data];
    }

    internal static void ReadEverything(byte[] input)
    {
        GgufFile file;
        try
        {
            file = Fixtures.Read(input);
        }
        catch (GgufFormatException)
        {
            return;
        }

        var facts = GgufFacts.From(GgufModel.FromFile(file));
        try
        {
            MemoryEstimator.Estimate(facts, new EstimateSettings { ContextSize = 512, ParallelSlots = 2 });
        }
        catch (ArgumentException)
        {
            // A documented outcome: the facts do not allow an estimate, and the message says why.
        }
    }

    [Test]
    public void Read_MutatedRealGgufs_NeverThrowsAnythingButFormatException()
    {
        var seeds = Seeds.Value;
        var parsed = 0L;

        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int).Sample(
            (seedIndex, rng) =>
            {
                var input = Mutate(seeds[seedIndex], rng);
                ReadEverything(input);
                if (IsParseable(input))
                {
                    Interlocked.Increment(ref parsed);
                }
            },
            iter: Iterations,
            seed: Seed);

        // The mutations must not all be rejected at the magic number, or the fuzzer tests nothing.
        Assert.That(parsed, Is.GreaterThan(Iterations / 20));
    }

    [Test]
    public void Read_UnmutatedCompleteSeeds_Parse()
    {
        Assert.That(CompleteSeeds.Value.Where(IsParseable).Count(), Is.EqualTo(CompleteSeeds.Value.Length));
    }

    private static bool IsParseable(byte[] input)
    {
        try
        {
            Fixtures.Read(input);
            return true;
        }
        catch (GgufFormatException)
        {
            return false;
        }
    }
}
