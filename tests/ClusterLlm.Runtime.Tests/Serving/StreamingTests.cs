using System.Net;
using System.Text.Json;
using ClusterLlm.Runtime.Serving;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>SSE framing, headers, keep-alive pings and disconnects, checked on the raw HTTP stream.</summary>
public sealed class StreamingTests
{
    private RuntimeServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
        // One slot, so a second request queues behind a long first one; a short ping interval to see keep-alives.
        => _server = await RuntimeServer.StartAsync(
            s => s with { Parallel = 1, SsePingInterval = TimeSpan.FromMilliseconds(100) });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> StreamAsync(string body, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        return await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    [Test]
    public async Task ChatStream_IncludeUsage_FramesEveryEventAndEndsWithUsageThenDone()
    {
        using var response = await StreamAsync(RuntimeServer.Chat("hello", maxTokens: 8, stream: true, includeUsage: true));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
            Assert.That(response.Headers.GetValues("X-Accel-Buffering"), Is.EqualTo(new[] { "no" }));
        });
        var events = await (await SseStream.OpenAsync(response)).ReadToDoneAsync();

        var usageChunk = events[^1];
        Assert.Multiple(() =>
        {
            Assert.That(events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(events[..^1].Select(e => e.GetProperty("usage").ValueKind), Is.All.EqualTo(JsonValueKind.Null));
            Assert.That(events[..^1].Select(e => e.GetProperty("object").GetString()), Is.All.EqualTo("chat.completion.chunk"));
            Assert.That(events.Select(e => e.GetProperty("id").GetString()).Distinct().Count(), Is.EqualTo(1));
            Assert.That(events[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(usageChunk.GetProperty("choices").GetArrayLength(), Is.Zero);
            Assert.That(usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(8));
            Assert.That(usageChunk.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").ValueKind, Is.EqualTo(JsonValueKind.Number));
        });
    }

    [Test]
    public async Task CompletionStream_NoUsageRequested_EndsWithFinishThenDone()
    {
        var body = JsonSerializer.Serialize(new { model = "tiny", prompt = "Once upon", max_tokens = 4, stream = true, ignore_eos = true, temperature = 0 });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using var completion = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        var events = await (await SseStream.OpenAsync(completion)).ReadToDoneAsync();

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.GetProperty("object").GetString()), Is.All.EqualTo("text_completion"));
            Assert.That(events[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(events.Count(e => e.GetProperty("choices")[0].GetProperty("text").GetString()!.Length > 0), Is.InRange(1, 4));
        });
    }

    [Test]
    public async Task ChatStream_QueuedBehindLongRequest_SendsPingComments()
    {
        using var cancel = new CancellationTokenSource(RuntimeServer.Timeout);
        using var first = await StreamAsync(RuntimeServer.Chat("occupy the only slot", maxTokens: 1500, stream: true), cancel.Token);
        var firstStream = await SseStream.OpenAsync(first);
        Assert.That(await firstStream.NextAsync(cancel.Token), Is.Not.Null);

        // The second request waits for the slot; the silence brings pings.
        using var second = await StreamAsync(RuntimeServer.Chat("wait", maxTokens: 2, stream: true), cancel.Token);
        var secondStream = await SseStream.OpenAsync(second);
        var events = await secondStream.ReadToDoneAsync();

        Assert.That(secondStream.Comments, Has.Some.EqualTo(": ping"));
        Assert.That(events, Is.Not.Empty);
        first.Dispose();
    }

    [Test]
    public async Task ChatStream_ClientDisconnects_SlotIsFreed()
    {
        using (var response = await StreamAsync(RuntimeServer.Chat("long story", maxTokens: 1900, stream: true)))
        {
            var stream = await SseStream.OpenAsync(response);
            Assert.That(await stream.NextAsync(), Is.Not.Null);
            Assert.That(_server.Engine.Snapshot.SlotsBusy, Is.EqualTo(1));
        }

        await _server.WaitUntilAsync(() => _server.Engine.Snapshot.SlotsBusy == 0, "the disconnected request's slot is released");
        await _server.WaitUntilAsync(
            async () => PrometheusText.Value(await _server.ScrapeMetricsAsync(), "clusterllm_server_requests_total", ("status_code", "499"), ("finish_reason", "abort")) >= 1,
            "the abort is counted");

        // The freed slot serves the next request.
        using var next = await _server.PostJsonAsync("v1/chat/completions", RuntimeServer.Chat("again", maxTokens: 2));
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
