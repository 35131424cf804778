namespace ClusterLlm.Gguf.Tests;

public sealed class GgufFactsTests
{
    [Test]
    public void From_LlamaModel_DerivesHyperparametersAndTensorTotals()
    {
        using var dir = new TempDirectory();
        Fixtures.TinyLlama(layers: 3, embd: 64, heads: 4, kvHeads: 2, ff: 128, vocab: 256).WriteTo(dir.File("m.gguf"));

        var facts = GgufFacts.From(GgufModel.Open(dir.File("m.gguf")));

        var perLayer = (64 * 64 * 2) + (64 * 32 * 2) + (128 * 2 * 34) + (64 * 4);
        Assert.Multiple(() =>
        {
            Assert.That(facts.Architecture, Is.EqualTo("llama"));
            Assert.That(facts.Name, Is.EqualTo("tiny"));
            Assert.That(facts.FileType, Is.EqualTo("F16"));
            Assert.That(facts.ContextLength, Is.EqualTo(2048));
            Assert.That(facts.Layers, Is.EqualTo(3));
            Assert.That(facts.EmbeddingLength, Is.EqualTo(64));
            Assert.That(facts.FeedForwardLength, Is.EqualTo(128));
            Assert.That(facts.HeadCount, Is.EqualTo(4));
            Assert.That(facts.HeadCountKv, Is.EqualTo(2));
            Assert.That(facts.HeadCountKvPerLayer, Is.EqualTo(new[] { 2, 2, 2 }));
            Assert.That(facts.KeyLength, Is.EqualTo(16));
            Assert.That(facts.ValueLength, Is.EqualTo(16));
            Assert.That(facts.VocabSize, Is.EqualTo(256));
            Assert.That(facts.HasChatTemplate, Is.True);
            Assert.That(facts.Parameters, Is.EqualTo((2 * 64 * 256) + (3 * ((64 * 64) + (64 * 32) + (64 * 128) + 64)) + 64));
            Assert.That(facts.LayerTensorBytes, Is.EqualTo(new long[] { perLayer, perLayer, perLayer }));
            Assert.That(facts.OutputTensorBytes, Is.EqualTo((64 * 4) + (64 * 256 * 2)));
            Assert.That(facts.InputTensorBytes, Is.EqualTo(64 * 256 * 2));
            Assert.That(facts.TensorBytes, Is.EqualTo((3 * perLayer) + facts.OutputTensorBytes + facts.InputTensorBytes));
        });
    }

    [Test]
    public void From_NoFileTypeKey_NamesTheDominantMatrixType()
    {
        var writer = new GgufWriter().AddString("general.architecture", "llama");
        writer.AddTensor("a.weight", [256, 64], GgmlType.Q4_K).AddTensor("b.weight", [64, 2], GgmlType.F32).AddTensor("n", [4096], GgmlType.F32);

        var facts = GgufFacts.From(ModelOf(writer));

        Assert.That(facts.FileType, Is.EqualTo("Q4_K"));
    }

    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.VocabFiles))]
    public void From_RealVocabFile_CountsVocabulary(string path)
    {
        var model = GgufModel.Open(path);

        var facts = GgufFacts.From(model);

        Assert.That(facts.VocabSize, Is.EqualTo(model.Metadata["tokenizer.ggml.tokens"].AsArray()!.Length));
        Assert.That(facts.Architecture, Is.EqualTo(model.Metadata["general.architecture"].AsString()));
    }

    private static GgufModel ModelOf(GgufWriter writer)
    {
        var dir = new TempDirectory();
        try
        {
            writer.WriteTo(dir.File("m.gguf"));
            return GgufModel.Open(dir.File("m.gguf"));
        }
        finally
        {
            dir.Dispose();
        }
    }
}
