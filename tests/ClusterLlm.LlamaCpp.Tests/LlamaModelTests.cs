using ClusterLlm.Gguf.TestModel;

namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaModelTests
{
    [Test]
    public void Load_TinyTestModel_ReportsItsShape()
    {
        using var model = LlamaModel.Load(TestModels.Tiny);

        Assert.That(model.LayerCount, Is.EqualTo(TestModelPreset.Tiny.LayerCount));
        Assert.That(model.EmbeddingLength, Is.EqualTo(TestModelPreset.Tiny.EmbeddingLength));
        Assert.That(model.HeadCount, Is.EqualTo(TestModelPreset.Tiny.HeadCount));
        Assert.That(model.KvHeadCount, Is.EqualTo(TestModelPreset.Tiny.KvHeadCount));
        Assert.That(model.TrainedContextLength, Is.EqualTo(TestModelPreset.Tiny.ContextLength));
        Assert.That(model.Vocab.Count, Is.EqualTo(32000));
        Assert.That(model.Metadata("general.architecture"), Is.EqualTo("llama"));
        Assert.That(model.Metadata("no.such.key"), Is.Null);
        Assert.That(model.ChatTemplate, Is.Null);
        Assert.That(model.IsRecurrentOrHybrid, Is.False);
    }

    [Test]
    public void Load_MissingFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(TestModels.Directory, "absent.gguf");

        Assert.That(() => LlamaModel.Load(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(path));
    }

    [Test]
    public void Load_NotAGguf_ThrowsWithLlamaCppsReason()
    {
        var path = Path.Combine(TestModels.Directory, "garbage.gguf");
        File.WriteAllText(path, "this is not a model");

        Assert.That(() => LlamaModel.Load(path), Throws.TypeOf<LlamaException>().With.Message.Contains(path).And.Message.Contains("gguf").IgnoreCase);
    }

    [Test]
    public void Load_VocabOnly_TokenizesWithoutWeights()
    {
        using var model = LlamaModel.Load(TestModels.Vocab, new LlamaModelSettings { VocabOnly = true });

        var tokens = model.Vocab.Tokenize("Hello", addSpecial: true, parseSpecial: false);

        Assert.That(tokens, Has.Length.EqualTo(2));
        Assert.That(tokens[0], Is.EqualTo(model.Vocab.Bos));
        Assert.That(model.Vocab.Detokenize(tokens.AsSpan(1)), Is.EqualTo("Hello"));
    }
}
