namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaContextTests
{
    private static readonly LlamaContextSettings Settings = new() { ContextSize = 1024, Sequences = 2, BatchSize = 64, UbatchSize = 32, Threads = 1 };

    [Test]
    public void Create_TwoSequences_SplitsTheContextPerSequence()
    {
        using var model = LlamaModel.Load(TestModels.Tiny);
        using var context = LlamaContext.Create(model, Settings);

        Assert.That(context.ContextSize, Is.EqualTo(1024));
        Assert.That(context.ContextPerSequence, Is.EqualTo(512));
        Assert.That(context.Sequences, Is.EqualTo(2));
        Assert.That(context.BatchSize, Is.EqualTo(64));
        Assert.That(context.UbatchSize, Is.EqualTo(32));
        Assert.That(context.Threads, Is.EqualTo(1));
    }

    [Test]
    public void Decode_TwoSequences_TracksPositionsPerSequence()
    {
        using var model = LlamaModel.Load(TestModels.Tiny);
        using var context = LlamaContext.Create(model, Settings);
        using var batch = new LlamaBatch(16);
        for (var i = 0; i < 5; i++)
        {
            batch.Add(100 + i, i, 0, logits: i == 4);
        }
        batch.Add(200, 0, 1, logits: true);

        Assert.That(context.Decode(batch), Is.Zero);
        Assert.That(context.SequencePositionMax(0), Is.EqualTo(4));
        Assert.That(context.SequencePositionMax(1), Is.Zero);
        Assert.That(context.Logits(4).Length, Is.EqualTo(model.Vocab.Count));
        Assert.That(context.Logits(5).ToArray(), Is.Not.EqualTo(context.Logits(4).ToArray()));

        Assert.That(context.RemoveSequence(0, 2, -1), Is.True);
        Assert.That(context.SequencePositionMax(0), Is.EqualTo(1));
        context.ClearMemory();
        Assert.That(context.SequencePositionMax(1), Is.EqualTo(-1));
    }

    [Test]
    public void Decode_PositionGap_ReturnsAnErrorCodeInsteadOfCrashing()
    {
        using var model = LlamaModel.Load(TestModels.Tiny);
        using var context = LlamaContext.Create(model, Settings);
        using var batch = new LlamaBatch(4);
        batch.Add(100, 0, 0, logits: true);
        Assert.That(context.Decode(batch), Is.Zero);
        batch.Clear();
        batch.Add(101, 7, 0, logits: true);

        Assert.That(context.Decode(batch), Is.Negative);
    }

    [Test]
    public void Add_FullBatch_Throws()
    {
        using var batch = new LlamaBatch(1);
        batch.Add(1, 0, 0, logits: false);

        Assert.That(() => batch.Add(2, 1, 0, logits: false), Throws.InvalidOperationException);
    }
}
