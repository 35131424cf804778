namespace ClusterLlm.Gguf.Tests;

public sealed class GgufWriterTests
{
    [Test]
    public void Add_RealVocabularyReadWithLargeArrays_CopiesItByteForByteUpToPadding()
    {
        var vocab = Fixtures.VocabFiles.Single(f => f.EndsWith("ggml-vocab-llama-spm.gguf", StringComparison.Ordinal));
        var file = GgufFile.Read(vocab, new GgufReaderOptions { MaxMaterializedArrayElements = 1 << 20 });
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata)
        {
            writer.Add(key, value);
        }

        var copy = writer.ToBytes();

        var original = File.ReadAllBytes(vocab);
        Assert.That(file.Tensors, Is.Empty, "a vocabulary file holds metadata only, so the copy is the whole file");
        Assert.That(file.Metadata["tokenizer.ggml.tokens"].AsArray()!.Items, Has.Count.EqualTo(32000));
        Assert.That(copy[..original.Length], Is.EqualTo(original));
        // The writer, like gguf.cpp, always pads the header to the data alignment; this older file stops short.
        Assert.That(copy.Length, Is.EqualTo((original.Length + 31) / 32 * 32));
        Assert.That(copy[original.Length..], Has.All.Zero);
    }

    [Test]
    public void Add_ArrayTheReaderDidNotKeep_ThrowsNamingTheKey()
    {
        var skipped = new GgufValue(GgufValueType.Array, new GgufArray(GgufValueType.String, 50_000, null));

        var e = Assert.Throws<ArgumentException>(() => new GgufWriter().Add("tokenizer.ggml.tokens", skipped));

        Assert.That(e!.Message, Does.Contain("tokenizer.ggml.tokens"));
        Assert.That(e.ParamName, Is.EqualTo("value"));
    }

    [Test]
    public void WriteTo_TensorWritesTheWrongByteCount_LeavesNoFileBehind()
    {
        using var directory = new TempDirectory();
        var path = directory.File("short.gguf");
        var writer = new GgufWriter().AddTensor("t", [32], GgmlType.F32, s => s.Write(new byte[100]));

        Assert.That(() => writer.WriteTo(path), Throws.InvalidOperationException.With.Message.Contains("'t' wrote 100 bytes, expected 128"));
        Assert.That(Directory.GetFiles(directory.Path), Is.Empty);
    }

    [Test]
    public void WriteTo_Path_WritesTheSameBytesAsToAStream()
    {
        using var directory = new TempDirectory();
        var path = directory.File("nested/tiny.gguf");

        Fixtures.TinyLlama().WriteTo(path);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(Fixtures.TinyLlama().ToBytes()));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1), "no partial file remains");
    }
}
