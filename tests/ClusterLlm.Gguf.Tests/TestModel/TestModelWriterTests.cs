using System.Security.Cryptography;
using ClusterLlm.Gguf.TestModel;
using ClusterLlm.LlamaCpp;

namespace ClusterLlm.Gguf.Tests.TestModel;

public sealed class TestModelWriterTests
{
    [Test]
    public void Write_SameSeedTwice_WritesIdenticalBytes()
    {
        var again = Path.Combine(TestModels.Directory, "tiny-again.gguf");

        TestModelWriter.Write(again, TestModelPreset.Tiny, 1, TestModels.Vocab);

        Assert.That(Hash(again), Is.EqualTo(Hash(TestModels.Tiny)));
    }

    [Test]
    public void Write_OtherSeed_WritesOtherWeights()
    {
        var other = Path.Combine(TestModels.Directory, "tiny-seed2.gguf");

        TestModelWriter.Write(other, TestModelPreset.Tiny, 2, TestModels.Vocab);

        Assert.That(new FileInfo(other).Length, Is.EqualTo(new FileInfo(TestModels.Tiny).Length));
        Assert.That(Hash(other), Is.Not.EqualTo(Hash(TestModels.Tiny)));
    }

    [Test]
    public void Write_Tiny_LoadsAsALlamaModelWithTheRealVocabulary()
    {
        using var vocab = LlamaModel.Load(TestModels.Vocab, new LlamaModelSettings { VocabOnly = true });
        using var model = LlamaModel.Load(TestModels.Tiny);
        const string Text = "The quick brown fox, 速い茶色の狐";

        Assert.That(model.Metadata("general.architecture"), Is.EqualTo("llama"));
        Assert.That(model.Metadata("tokenizer.ggml.model"), Is.EqualTo("llama"));
        Assert.That(model.Vocab.Tokenize(Text, true, false), Is.EqualTo(vocab.Vocab.Tokenize(Text, true, false)));
        Assert.That(new FileInfo(TestModels.Tiny).Length, Is.LessThan(16L << 20), "tiny stays a few MB");
    }

    [Test]
    public void Write_QuantizedPreset_LoadsAsQ8AndDecodes()
    {
        var path = Path.Combine(TestModels.Directory, "tiny-q8.gguf");

        TestModelWriter.Write(path, TestModelPreset.Tiny with { QuantizedWeights = true }, 1, TestModels.Vocab);

        using var model = LlamaModel.Load(path);
        using var context = LlamaContext.Create(model, new LlamaContextSettings { ContextSize = 256, Threads = 1 });
        using var batch = new LlamaBatch(4);
        batch.Add(1, 0, 0, logits: false);
        batch.Add(15043, 1, 0, logits: true);
        Assert.That(model.Description, Does.Contain("Q8_0"));
        Assert.That(new FileInfo(path).Length, Is.LessThan(new FileInfo(TestModels.Tiny).Length));
        Assert.That(context.Decode(batch), Is.Zero);
        Assert.That(context.Logits(1).ToArray(), Has.All.Matches<float>(float.IsFinite));
    }

    [Test]
    public void Write_VocabWithoutTokenizer_ThrowsNamingTheFile()
    {
        var notVocab = Path.Combine(TestModels.Directory, "not-vocab.gguf");
        File.WriteAllBytes(notVocab, [0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var output = Path.Combine(TestModels.Directory, "never.gguf");

        Assert.That(() => TestModelWriter.Write(output, TestModelPreset.Tiny, 1, notVocab),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains(notVocab));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void Find_PresetNames_AreCaseInsensitive()
    {
        Assert.That(TestModelPreset.Find("BENCH"), Is.SameAs(TestModelPreset.Bench));
        Assert.That(TestModelPreset.Find("huge"), Is.Null);
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
