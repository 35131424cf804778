using System.Text.Json;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>Reads an SSE response line by line, keeping comments and data events apart.</summary>
internal sealed class SseStream(StreamReader reader)
{
    public List<string> Comments { get; } = [];

    public List<string> RawEvents { get; } = [];

    public static async Task<SseStream> OpenAsync(HttpResponseMessage response)
        => new(new StreamReader(await response.Content.ReadAsStreamAsync()));

    /// <summary>The next data payload, or null at the end of the stream.</summary>
    public async Task<string?> NextAsync(CancellationToken cancellationToken = default)
    {
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    RawEvents.Add(data);
                    return data;
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                Comments.Add(line);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Assert.That(data, Is.Null, "one data line per event");
                data = line[6..];
            }
            else
            {
                Assert.Fail($"Unexpected SSE line: {line}");
            }
        }
        return null;
    }

    /// <summary>Every JSON event up to <c>[DONE]</c>, which must come last.</summary>
    public async Task<List<JsonElement>> ReadToDoneAsync()
    {
        var events = new List<JsonElement>();
        while (await NextAsync() is { } data)
        {
            if (data == "[DONE]")
            {
                Assert.That(await NextAsync(), Is.Null, "[DONE] ends the stream");
                return events;
            }
            using var document = JsonDocument.Parse(data);
            events.Add(document.RootElement.Clone());
        }
        Assert.Fail("The stream ended without [DONE].");
        return events;
    }
}
