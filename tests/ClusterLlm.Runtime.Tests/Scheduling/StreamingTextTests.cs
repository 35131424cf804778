using System.Text;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Tests.Scheduling;

public sealed class StreamingTextTests
{
    [TestCase("héllo")]
    [TestCase("世界")]
    [TestCase("party 🎉 time")]
    [TestCase("mixed: aé世🎉z")]
    public void Append_MultibyteCharactersSplitIntoSingleBytes_NeverEmitsAPartialCharacter(string text)
    {
        var streaming = new StreamingText([]);
        var emitted = new List<string>();

        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            emitted.Add(streaming.Append([b]));
        }
        emitted.Add(streaming.Flush());

        Assert.That(emitted, Has.None.Contains('\uFFFD'));
        Assert.That(emitted.Where(e => e.Length > 0), Has.All.Matches<string>(e => !char.IsHighSurrogate(e[^1]) && !char.IsLowSurrogate(e[0])));
        Assert.That(string.Concat(emitted), Is.EqualTo(text));
    }

    [Test]
    public void Append_InvalidByte_IsReplacedAndNotCarried()
    {
        var streaming = new StreamingText([]);

        var first = streaming.Append([0x80]);
        var second = streaming.Append("ok"u8);

        Assert.That(first + second, Is.EqualTo("\uFFFDok"));
    }

    [Test]
    public void Flush_IncompleteTrailingCharacter_BecomesReplacementCharacter()
    {
        var streaming = new StreamingText([]);

        var text = streaming.Append([0x61, 0xE4, 0xB8]);

        Assert.That(text, Is.EqualTo("a"));
        Assert.That(streaming.Flush(), Is.EqualTo("\uFFFD"));
    }

    [Test]
    public void Append_StopStringAcrossPieces_HoldsBackThenCutsBeforeIt()
    {
        var streaming = new StreamingText(["END"]);

        var a = streaming.Append("hello E"u8);
        var b = streaming.Append("N"u8);
        var c = streaming.Append("D and more"u8);

        Assert.That(a, Is.EqualTo("hello "));
        Assert.That(b, Is.Empty);
        Assert.That(c, Is.Empty);
        Assert.That(streaming.Stopped, Is.True);
        Assert.That(streaming.Append("later"u8), Is.Empty);
    }

    [Test]
    public void Append_PartialMatchThatDoesNotComplete_ReleasesTheHeldText()
    {
        var streaming = new StreamingText(["END"]);

        var a = streaming.Append("an E"u8);
        var b = streaming.Append("nd"u8);

        Assert.That(a + b, Is.EqualTo("an End"));
        Assert.That(streaming.Stopped, Is.False);
    }

    [Test]
    public void Append_SeveralStops_CutsAtTheEarliest()
    {
        var streaming = new StreamingText(["world", "lo"]);

        var text = streaming.Append("hello world"u8);

        Assert.That(text, Is.EqualTo("hel"));
        Assert.That(streaming.Stopped, Is.True);
    }

    [Test]
    public void Flush_HeldPartialStop_IsReleasedAtTheEnd()
    {
        var streaming = new StreamingText(["</answer>"]);

        var text = streaming.Append("42 </ans"u8);

        Assert.That(text, Is.EqualTo("42 "));
        Assert.That(streaming.Flush(), Is.EqualTo("</ans"));
    }

    [Test]
    public void Append_StopStringInsideAMultibyteSplit_MatchesOnText()
    {
        var streaming = new StreamingText(["世界"]);
        var bytes = Encoding.UTF8.GetBytes("a世界b");
        var emitted = new StringBuilder();

        foreach (var b in bytes)
        {
            emitted.Append(streaming.Append([b]));
        }

        Assert.That(emitted.ToString(), Is.EqualTo("a"));
        Assert.That(streaming.Stopped, Is.True);
    }
}
