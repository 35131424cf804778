using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClusterLlm.Bench.Runtime;

internal sealed record RequestResult(bool Ok, double TtftSeconds, int CompletionTokens, int PromptTokens, string? Error);

internal sealed record PointResult(string Server, int Concurrency, IReadOnlyList<RequestResult> Requests, TimeSpan Elapsed, TimeSpan ServerCpu)
{
    /// <summary>Generated tokens per CPU-second the server spent: what a token costs, whatever else the machine runs.</summary>
    public double TokensPerCpuSecond => Tokens / ServerCpu.TotalSeconds;

    public int Failures => Requests.Count(r => !r.Ok);

    public long Tokens => Requests.Where(r => r.Ok).Sum(r => (long)r.CompletionTokens);

    public double TokensPerSecond => Tokens / Elapsed.TotalSeconds;

    public double TtftP50 => Percentile(0.50);

    public double TtftP95 => Percentile(0.95);

    public double PromptTokens => Requests.Where(r => r.Ok).Select(r => (double)r.PromptTokens).DefaultIfEmpty(0).Average();

    private double Percentile(double p)
    {
        var sorted = Requests.Where(r => r.Ok).Select(r => r.TtftSeconds).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        // Nearest rank.
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// Closed-loop load: N workers each send streaming chat requests back to back for the duration, then
/// finish what they started. Every prompt starts with a unique line so no server can serve it from a
/// prefix cache, and <c>ignore_eos</c> fixes every output at max_tokens.
/// </summary>
internal sealed class LoadGenerator(BenchOptions options)
{
    private static readonly string[] Words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "while", "rivers", "run", "to", "sea"];
    private static readonly string Filler = string.Join(' ', Enumerable.Range(0, 4000).Select(i => Words[i % Words.Length]));
    private int _sequence;

    public async Task<PointResult> RunAsync(ServerProcess server, int concurrency)
    {
        // A short idle timeout keeps the pool from reusing a connection the server is about to close (httplib closes idle ones after 5 s).
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1) };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var results = new List<RequestResult>();
        var cpuBefore = server.CpuTime();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var mine = new List<RequestResult>();
            while (clock.Elapsed < options.Duration)
            {
                mine.Add(await SendAsync(client).ConfigureAwait(false));
            }
            return mine;
        }).ToArray();
        foreach (var batch in await Task.WhenAll(workers).ConfigureAwait(false))
        {
            results.AddRange(batch);
        }
        var elapsed = clock.Elapsed;
        return new PointResult(server.Name, concurrency, results, elapsed, server.CpuTime() - cpuBefore);
    }

    public async Task<RequestResult> WarmUpAsync(ServerProcess server)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        return await SendAsync(client).ConfigureAwait(false);
    }

    private string Prompt()
    {
        var id = Interlocked.Increment(ref _sequence);
        var words = Filler.Split(' ', options.PromptWords + 1)[..options.PromptWords];
        return $"Request {id}. " + string.Join(' ', words);
    }

    /// <summary>
    /// One request; a connection that fails before any response (a stale keep-alive the server closed) is retried
    /// on a new one, at most twice, with TTFT still measured from the first attempt.
    /// </summary>
    private async Task<RequestResult> SendAsync(HttpClient client)
    {
        var started = Stopwatch.GetTimestamp();
        var body = RequestBody();
        for (var attempt = 0; ; attempt++)
        {
            var result = await SendOnceAsync(client, body, started).ConfigureAwait(false);
            if (result.Ok || attempt == 2 || result.Error?.StartsWith("connection:", StringComparison.Ordinal) != true)
            {
                return result;
            }
        }
    }

    private string RequestBody()
        => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "bench",
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = Prompt() } },
            ["max_tokens"] = options.MaxTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
            ["stream_options"] = new Dictionary<string, bool> { ["include_usage"] = true },
        });

    private static async Task<RequestResult> SendOnceAsync(HttpClient client, string body, long started)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        double ttft = double.NaN;
        int chunks = 0, completionTokens = -1, promptTokens = 0;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return new RequestResult(false, 0, 0, 0, "connection: " + e.Message);
        }
        using var owned = response;
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                return new RequestResult(false, 0, 0, 0, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
            }
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }
                var data = line.AsMemory(6);
                if (data.Span.SequenceEqual("[DONE]"))
                {
                    break;
                }
                using var json = JsonDocument.Parse(data);
                var root = json.RootElement;
                if (root.TryGetProperty("error", out var error))
                {
                    return new RequestResult(false, 0, 0, 0, error.GetRawText());
                }
                if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                    && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                    && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
                {
                    chunks++;
                    if (double.IsNaN(ttft))
                    {
                        ttft = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    }
                }
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    completionTokens = usage.GetProperty("completion_tokens").GetInt32();
                    promptTokens = usage.GetProperty("prompt_tokens").GetInt32();
                }
            }
        }
        catch (HttpRequestException e)
        {
            return new RequestResult(false, 0, 0, 0, e.Message);
        }
        var tokens = completionTokens >= 0 ? completionTokens : chunks;
        return double.IsNaN(ttft)
            ? new RequestResult(false, 0, 0, 0, "no content")
            : new RequestResult(true, ttft, tokens, promptTokens, null);
    }
}
