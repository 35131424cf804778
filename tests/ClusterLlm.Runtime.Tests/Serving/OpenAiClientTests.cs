using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>The official OpenAI .NET client against the real server.</summary>
public sealed class OpenAiClientTests
{
    private RuntimeServer _server = null!;
    private ChatClient _chat = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await RuntimeServer.StartAsync();
        _chat = new ChatClient("tiny", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseAddress, "v1") });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task CompleteChat_NonStreaming_ReturnsTextAndUsage()
    {
        ChatCompletion completion = await _chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say something.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(completion.Role, Is.EqualTo(ChatMessageRole.Assistant));
            Assert.That(completion.FinishReason, Is.EqualTo(ChatFinishReason.Stop).Or.EqualTo(ChatFinishReason.Length));
            Assert.That(completion.Usage.InputTokenCount, Is.GreaterThan(0));
            Assert.That(completion.Usage.OutputTokenCount, Is.InRange(1, 12));
            Assert.That(completion.Usage.TotalTokenCount, Is.EqualTo(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount));
            Assert.That(completion.Model, Is.EqualTo("tiny"));
            Assert.That(completion.Id, Does.StartWith("chatcmpl-"));
        });
    }

    [Test]
    public async Task CompleteChatStreaming_Streaming_MatchesNonStreamingGreedyText()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 };
        ChatMessage[] messages = [new UserChatMessage("Count with me.")];
        ChatCompletion whole = await _chat.CompleteChatAsync(messages, options);

        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in _chat.CompleteChatStreamingAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Multiple(() =>
        {
            Assert.That(streamed.ToString(), Is.EqualTo(whole.Content.Count == 0 ? string.Empty : whole.Content[0].Text));
            Assert.That(finish, Is.EqualTo(whole.FinishReason));
            Assert.That(usage?.OutputTokenCount, Is.EqualTo(whole.Usage.OutputTokenCount), "the client asks for include_usage");
        });
    }

    [Test]
    public void CompleteChat_UnknownModel_Is404()
    {
        var other = new ChatClient("gpt-4o", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseAddress, "v1") });

        var error = Assert.ThrowsAsync<ClientResultException>(() => other.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.That(error!.Status, Is.EqualTo(404));
        Assert.That(error.Message, Does.Contain("gpt-4o"));
    }
}
