using System.Buffers;
using System.Text;
using System.Text.Json;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving.Protocol;

namespace ClusterLlm.Runtime.Tests.Serving.Protocol;

public sealed class CompletionResponseFormatTests
{
    private static readonly CompletionResponseFormat Chat = new(CompletionKind.Chat, "chatcmpl-1", 1700000000, "tiny");
    private static readonly CompletionResponseFormat Text = new(CompletionKind.Text, "cmpl-1", 1700000000, "tiny");

    private static JsonElement Event(Action<IBufferWriter<byte>, Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, JsonWriting.Options);
        write(buffer, json);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.That(text, Does.StartWith("data: ").And.EndWith("\n\n"));
        using var document = JsonDocument.Parse(text[6..^2]);
        return document.RootElement.Clone();
    }

    [Test]
    public void WriteTextChunk_Chat_IsAChatCompletionChunkWithNullUsage()
    {
        var chunk = Event((b, j) => Chat.WriteTextChunk(b, j, "h\"é\n😀"));

        Assert.Multiple(() =>
        {
            Assert.That(chunk.GetProperty("id").GetString(), Is.EqualTo("chatcmpl-1"));
            Assert.That(chunk.GetProperty("object").GetString(), Is.EqualTo("chat.completion.chunk"));
            Assert.That(chunk.GetProperty("created").GetInt64(), Is.EqualTo(1700000000));
            Assert.That(chunk.GetProperty("model").GetString(), Is.EqualTo("tiny"));
            Assert.That(chunk.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString(), Is.EqualTo("h\"é\n😀"));
            Assert.That(chunk.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(chunk.GetProperty("usage").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public void WriteTextChunk_Text_CarriesText()
    {
        var chunk = Event((b, j) => Text.WriteTextChunk(b, j, "abc"));

        Assert.That(chunk.GetProperty("object").GetString(), Is.EqualTo("text_completion"));
        Assert.That(chunk.GetProperty("choices")[0].GetProperty("text").GetString(), Is.EqualTo("abc"));
    }

    [Test]
    public void WriteRoleChunk_Chat_AnnouncesAssistant()
    {
        var chunk = Event((b, _) => Chat.WriteRoleChunk(b));

        Assert.That(chunk.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString(), Is.EqualTo("assistant"));
    }

    [TestCase(nameof(FinishReason.Stop), "stop")]
    [TestCase(nameof(FinishReason.Length), "length")]
    public void WriteFinishChunk_Reason_IsNamed(string reason, string name)
    {
        var chunk = Event((b, j) => Chat.WriteFinishChunk(b, j, Enum.Parse<FinishReason>(reason)));

        Assert.That(chunk.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo(name));
        Assert.That(chunk.GetProperty("choices")[0].GetProperty("delta").EnumerateObject(), Is.Empty);
    }

    [Test]
    public void WriteUsageChunk_HasNoChoicesAndCachedTokens()
    {
        var chunk = Event((b, j) => Chat.WriteUsageChunk(b, j, new TokenUsage(PromptTokens: 10, CachedTokens: 4, CompletionTokens: 3)));

        var usage = chunk.GetProperty("usage");
        Assert.Multiple(() =>
        {
            Assert.That(chunk.GetProperty("choices").GetArrayLength(), Is.Zero);
            Assert.That(usage.GetProperty("prompt_tokens").GetInt32(), Is.EqualTo(10));
            Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(3));
            Assert.That(usage.GetProperty("total_tokens").GetInt32(), Is.EqualTo(13));
            Assert.That(usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32(), Is.EqualTo(4));
        });
    }

    [Test]
    public void WriteErrorEvent_HasOpenAiErrorShape()
    {
        var chunk = Event((b, j) => CompletionResponseFormat.WriteErrorEvent(b, j, ApiError.Internal("boom")));

        var error = chunk.GetProperty("error");
        Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("boom"));
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("server_error"));
        Assert.That(error.TryGetProperty("param", out _), Is.True);
        Assert.That(error.TryGetProperty("code", out _), Is.True);
    }

    [Test]
    public void WriteCompletion_Chat_IsAChatCompletion()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Chat.WriteCompletion(buffer, "hello", FinishReason.Length, new TokenUsage(5, 0, 2));

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        var root = document.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
            Assert.That(root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), Is.EqualTo("hello"));
            Assert.That(root.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(root.GetProperty("usage").GetProperty("total_tokens").GetInt32(), Is.EqualTo(7));
        });
    }
}
