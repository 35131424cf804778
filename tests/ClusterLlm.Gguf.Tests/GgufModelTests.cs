namespace ClusterLlm.Gguf.Tests;

public sealed class GgufModelTests
{
    private static void WriteSplit(TempDirectory dir, int count, int tensorsPerPart = 2)
    {
        for (var i = 0; i < count; i++)
        {
            var writer = new GgufWriter();
            if (i == 0)
            {
                writer.AddString("general.architecture", "llama").AddUInt32("llama.block_count", (uint)(count * tensorsPerPart));
            }

            writer.Add("split.no", GgufValueType.UInt16, (ushort)i)
                .Add("split.count", GgufValueType.UInt16, (ushort)count)
                .Add("split.tensors.count", GgufValueType.Int32, count * tensorsPerPart);
            for (var t = 0; t < tensorsPerPart; t++)
            {
                writer.AddTensor($"blk.{(i * tensorsPerPart) + t}.w", [64, 4], GgmlType.F32);
            }

            writer.WriteTo(GgufSplitPath.Format(dir.File("model"), i + 1, count));
        }
    }

    [Test]
    public void Open_AnyPartOfSplitModel_ReadsEveryPart()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir, 3);

        var model = GgufModel.Open(dir.File("model-00002-of-00003.gguf"));
        var facts = GgufFacts.From(model);

        Assert.That(model.Parts, Has.Count.EqualTo(3));
        Assert.That(model.Tensors.Select(t => t.Name), Is.EqualTo(Enumerable.Range(0, 6).Select(i => $"blk.{i}.w")));
        Assert.That(facts.SplitCount, Is.EqualTo(3));
        Assert.That(facts.TensorBytes, Is.EqualTo(6 * 64 * 4 * 4));
        Assert.That(facts.Architecture, Is.EqualTo("llama"), "metadata comes from the first part");
    }

    [Test]
    public void Open_SplitModelWithMissingPart_ThrowsNamingThePart()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir, 3);
        File.Delete(dir.File("model-00003-of-00003.gguf"));

        var e = Assert.Throws<GgufFormatException>(() => GgufModel.Open(dir.File("model-00001-of-00003.gguf")));

        Assert.That(e!.Message, Does.Contain("model-00003-of-00003.gguf: part 3 of 3 of the split model is missing"));
    }

    [Test]
    public void Open_SplitCountWithoutSplitName_Throws()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir, 2);
        File.Move(dir.File("model-00001-of-00002.gguf"), dir.File("renamed.gguf"));

        var e = Assert.Throws<GgufFormatException>(() => GgufModel.Open(dir.File("renamed.gguf")));

        Assert.That(e!.Message, Does.Contain("declares split.count 2"));
    }

    [TestCase("/m/qwen-00001-of-00004.gguf", true, "/m/qwen", 1, 4)]
    [TestCase("qwen-00004-of-00004.gguf", true, "qwen", 4, 4)]
    [TestCase("qwen-00005-of-00004.gguf", false, "", 0, 0)]
    [TestCase("qwen-1-of-4.gguf", false, "", 0, 0)]
    [TestCase("qwen.gguf", false, "", 0, 0)]
    public void TryParse_SplitNames_RecognisesLlamaCppScheme(string path, bool ok, string prefix, int part, int count)
    {
        Assert.That(GgufSplitPath.TryParse(path, out var p, out var n, out var c), Is.EqualTo(ok));
        Assert.That((p, n, c), Is.EqualTo((prefix, part, count)));
    }
}
