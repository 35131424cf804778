using System.Net;
using System.Text.Json;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>Back-pressure: a bounded queue refuses the excess with 429, and everything accepted completes.</summary>
public sealed class CapacityTests
{
    [Test]
    public async Task ChatCompletions_OverCapacity_Gets429WithRetryAfterAndEveryAcceptedRequestCompletes()
    {
        await using var server = await RuntimeServer.StartAsync(s => s with { Parallel = 1, MaxQueue = 2 });
        const int Requests = 12;

        var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            using var response = await server.PostJsonAsync("v1/chat/completions", RuntimeServer.Chat($"request {i}", maxTokens: 200));
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, retryAfter, body);
        }));

        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(accepted.Count + refused.Count, Is.EqualTo(Requests), "only 200 or 429");
            Assert.That(refused, Is.Not.Empty, "one slot and a queue of two cannot take twelve at once");
            Assert.That(accepted.Count, Is.GreaterThanOrEqualTo(3));
            Assert.That(refused.Select(r => r.retryAfter), Is.All.GreaterThan(TimeSpan.Zero));
            Assert.That(refused.Select(r => ErrorCode(r.body)), Is.All.EqualTo("queue_full"));
            Assert.That(accepted.Select(r => CompletionTokens(r.body)), Is.All.EqualTo(200), "accepted requests run to max_tokens");
        });
    }

    private static string? ErrorCode(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    private static int CompletionTokens(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
    }
}
