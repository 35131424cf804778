namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaVocabTests
{
    private LlamaModel _model = null!;

    [OneTimeSetUp]
    public void Load() => _model = LlamaModel.Load(TestModels.Vocab, new LlamaModelSettings { VocabOnly = true });

    [OneTimeTearDown]
    public void Free() => _model.Dispose();

    [TestCase("Hello world")]
    [TestCase("héllo 世界 🎉 with accents, CJK and an emoji")]
    [TestCase("tabs\tand\nnewlines")]
    public void TokenizeDetokenize_Text_RoundTrips(string text)
    {
        var tokens = _model.Vocab.Tokenize(text, addSpecial: false, parseSpecial: false);

        // SentencePiece marks the start of the text as a word start, which detokenizes to one leading space.
        Assert.That(_model.Vocab.Detokenize(tokens).TrimStart(' '), Is.EqualTo(text));
    }

    [Test]
    public void Tokenize_AddSpecial_PrependsBos()
    {
        var tokens = _model.Vocab.Tokenize("x", addSpecial: true, parseSpecial: false);

        Assert.That(_model.Vocab.AddsBos, Is.True);
        Assert.That(tokens[0], Is.EqualTo(_model.Vocab.Bos));
    }

    [Test]
    public void Tokenize_ParseSpecial_TurnsSpecialTextIntoItsToken()
    {
        var parsed = _model.Vocab.Tokenize("</s>", addSpecial: false, parseSpecial: true);
        var literal = _model.Vocab.Tokenize("</s>", addSpecial: false, parseSpecial: false);

        Assert.That(parsed, Is.EqualTo(new[] { _model.Vocab.Eos }));
        Assert.That(literal, Has.Length.GreaterThan(1));
    }

    [Test]
    public void TokenToPiece_MultibyteCharacter_ComesAsByteTokens()
    {
        var tokens = _model.Vocab.Tokenize("🎉", addSpecial: false, parseSpecial: false);
        var bytes = new List<byte>();
        var buffer = new byte[16];
        foreach (var token in tokens)
        {
            var length = _model.Vocab.TokenToPiece(token, buffer, special: false);
            bytes.AddRange(buffer.AsSpan(0, length).ToArray());
        }

        Assert.That(tokens.Length, Is.GreaterThan(1), "the emoji is not a single token in this vocabulary");
        Assert.That(System.Text.Encoding.UTF8.GetString([.. bytes]).Trim(), Is.EqualTo("🎉"));
    }

    [Test]
    public void TokenToPiece_BufferTooSmall_ReturnsTheNegatedSizeNeeded()
    {
        var token = _model.Vocab.Tokenize("Hello", addSpecial: false, parseSpecial: false)[0];

        var needed = _model.Vocab.TokenToPiece(token, [], special: false);

        Assert.That(needed, Is.EqualTo(-" Hello".Length));
    }

    [Test]
    public void IsEndOfGeneration_Eos_IsTrue()
    {
        Assert.That(_model.Vocab.IsEndOfGeneration(_model.Vocab.Eos), Is.True);
        Assert.That(_model.Vocab.IsEndOfGeneration(_model.Vocab.Bos), Is.False);
    }
}
