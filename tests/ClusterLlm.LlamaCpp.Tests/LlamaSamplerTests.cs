namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaSamplerTests
{
    private LlamaModel _model = null!;
    private LlamaContext _context = null!;

    [OneTimeSetUp]
    public void Load()
    {
        _model = LlamaModel.Load(TestModels.Tiny);
        _context = LlamaContext.Create(_model, new LlamaContextSettings { ContextSize = 512, Sequences = 1, Threads = 1 });
        using var batch = new LlamaBatch(8);
        batch.Add(1, 0, 0, logits: false);
        batch.Add(15043, 1, 0, logits: true);
        Assert.That(_context.Decode(batch), Is.Zero);
    }

    [OneTimeTearDown]
    public void Free()
    {
        _context.Dispose();
        _model.Dispose();
    }

    [Test]
    public void Sample_Greedy_PicksTheLargestLogit()
    {
        using var sampler = new LlamaSampler().AddGreedy();
        var logits = _context.Logits(1).ToArray();

        var token = sampler.Sample(_context, 1);

        Assert.That(token, Is.EqualTo(Array.IndexOf(logits, logits.Max())));
    }

    [Test]
    public void Sample_LogitBias_OverridesTheLogits()
    {
        using var sampler = new LlamaSampler().AddLogitBias(_model.Vocab, new Dictionary<int, float> { [4242] = 1e6f }).AddGreedy();

        Assert.That(sampler.Sample(_context, 1), Is.EqualTo(4242));
    }

    [Test]
    public void Sample_SameSeed_SameToken()
    {
        int Draw()
        {
            using var sampler = new LlamaSampler().AddTemperature(1.5f).AddDistribution(7);
            return sampler.Sample(_context, 1);
        }

        Assert.That(Enumerable.Range(0, 3).Select(_ => Draw()).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void Sample_WithGrammar_OnlyPicksTokensTheGrammarAllows()
    {
        using var grammar = new LlamaSampler().AddGrammar(_model.Vocab, "root ::= \"yes\" | \"no\"");
        using var sampler = new LlamaSampler().AddGreedy();

        var token = sampler.Sample(_context, 1, grammar);

        Assert.That(_model.Vocab.Detokenize([token]).Trim(), Is.AnyOf("yes", "no", "y", "n", "ye"));
    }

    [Test]
    public void AddGrammar_Unparseable_ThrowsNamingTheGrammar()
    {
        using var sampler = new LlamaSampler();

        Assert.That(() => sampler.AddGrammar(_model.Vocab, "root ::= (("), Throws.ArgumentException.With.Property("ParamName").EqualTo("grammar"));
    }

    [Test]
    public void Count_AfterAdds_CountsTheChain()
    {
        using var sampler = new LlamaSampler().AddTopK(40).AddTopP(0.9f).AddMinP(0.05f).AddTemperature(0.8f).AddPenalties(64, 1.1f, 0, 0).AddDistribution(1);

        Assert.That(sampler.Count, Is.EqualTo(6));
    }
}
