using System.Net;
using System.Text.Json;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>The non-streaming surface: models, completions, tokenizer, unknown paths.</summary>
public sealed class EndpointTests
{
    private RuntimeServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RuntimeServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> PostAsync(string path, string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _server.PostJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [Test]
    public async Task Models_ListsTheAlias()
    {
        var models = await _server.GetJsonAsync("v1/models");

        Assert.That(models.GetProperty("object").GetString(), Is.EqualTo("list"));
        Assert.That(models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Is.EqualTo(new[] { "tiny" }));
    }

    [Test]
    public async Task Completions_Prompt_ReturnsTextCompletion()
    {
        var completion = await PostAsync("v1/completions", """{"model":"tiny","prompt":"The sky is","max_tokens":5,"ignore_eos":true,"temperature":0}""");

        Assert.Multiple(() =>
        {
            Assert.That(completion.GetProperty("object").GetString(), Is.EqualTo("text_completion"));
            Assert.That(completion.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(5));
        });
    }

    [Test]
    public async Task ChatCompletions_SamePromptTwice_ReportsCachedTokens()
    {
        var body = RuntimeServer.Chat("A prompt long enough to be worth caching in the slot's KV cache.", maxTokens: 3);
        await PostAsync("v1/chat/completions", body);

        var second = await PostAsync("v1/chat/completions", body);

        Assert.That(second.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public async Task ChatCompletions_StopSequence_EndsWithStop()
    {
        // Greedy output of the tiny model, then the same request stopping at a piece of it.
        var free = await PostAsync("v1/chat/completions", RuntimeServer.Chat("stop test", maxTokens: 20));
        var text = free.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assume.That(text.Length, Is.GreaterThan(4));
        var stop = text.Substring(text.Length / 2, 2);
        var body = JsonSerializer.Serialize(new { model = "tiny", messages = new[] { new { role = "user", content = "stop test" } }, max_tokens = 20, temperature = 0, ignore_eos = true, stop });

        var stopped = await PostAsync("v1/chat/completions", body);

        var content = stopped.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(stopped.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
            Assert.That(content, Does.Not.Contain(stop));
            Assert.That(text, Does.StartWith(content));
        });
    }

    [Test]
    public async Task TokenizeDetokenize_RoundTrip()
    {
        var tokens = await PostAsync("tokenize", """{"content":"Hello world"}""");
        var ids = tokens.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();

        var text = await PostAsync("detokenize", JsonSerializer.Serialize(new { tokens = ids }));

        Assert.That(ids, Is.Not.Empty);
        Assert.That(text.GetProperty("content").GetString()!.Trim(), Is.EqualTo("Hello world"));
    }

    [Test]
    public async Task UnknownPath_Is404InOpenAiShape()
    {
        using var response = await _server.Client.GetAsync("v1/nothing-here");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Does.Contain("\"error\""));
    }
}
