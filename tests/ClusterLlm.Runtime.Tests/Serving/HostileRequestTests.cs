using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>
/// The corpus in <c>testdata/hostile-requests.json</c>: malformed or hostile requests, each answered with
/// a clean 4xx in OpenAI's error shape whose <c>param</c> names the culprit, and the server still healthy.
/// </summary>
public sealed class HostileRequestTests
{
    private static readonly JsonElement[] Corpus = LoadCorpus();
    private RuntimeServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RuntimeServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private static JsonElement[] LoadCorpus()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Serving", "testdata", "hostile-requests.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static IEnumerable<TestCaseData> Cases()
        => Corpus.Select(c => new TestCaseData(c.GetProperty("name").GetString()).SetName($"Post_Hostile_{c.GetProperty("name").GetString()!.Replace(' ', '_')}"));

    [Test]
    public void Corpus_HasAtLeastThirtyCases()
    {
        Assert.That(Corpus, Has.Length.GreaterThanOrEqualTo(30));
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Post_HostileRequest_CleanErrorNamingTheParameter(string name)
    {
        var entry = Corpus.Single(c => c.GetProperty("name").GetString() == name);
        using var content = new ByteArrayContent(Body(entry));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _server.Client.PostAsync(entry.GetProperty("path").GetString()!.TrimStart('/'), content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(entry.GetProperty("status").GetInt32()), body);
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        var expected = entry.GetProperty("param").GetString()!;
        var param = error.GetProperty("param").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(param, Is.EqualTo(expected).Or.StartsWith(expected + "["), body);
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(error.GetProperty("code").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Post_WholeCorpus_ServerStaysHealthyAndServes()
    {
        foreach (var entry in Corpus)
        {
            using var content = new ByteArrayContent(Body(entry));
            using var response = await _server.Client.PostAsync(entry.GetProperty("path").GetString()!.TrimStart('/'), content);
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), entry.GetProperty("name").GetString());
        }

        using var health = await _server.Client.GetAsync("health");
        using var ok = await _server.PostJsonAsync("v1/chat/completions", RuntimeServer.Chat("still there?", maxTokens: 3));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());
    }

    private static byte[] Body(JsonElement entry)
    {
        if (entry.TryGetProperty("body", out var body))
        {
            return Encoding.UTF8.GetBytes(body.GetString()!);
        }
        if (entry.TryGetProperty("bodyBase64", out var encoded))
        {
            return Convert.FromBase64String(encoded.GetString()!);
        }
        var words = string.Join(' ', Enumerable.Repeat("hello world", 1200));
        return entry.GetProperty("generate").GetString() switch
        {
            // Above the 8 MiB default limit.
            "oversized" => Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"{{new string('a', 9 * 1024 * 1024)}}"}]}"""),
            // The tiny server has 1024 tokens per slot.
            "long-chat" => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = words } } })),
            "long-completion" => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { prompt = words })),
            var other => throw new InvalidDataException($"Unknown generator '{other}'."),
        };
    }
}
