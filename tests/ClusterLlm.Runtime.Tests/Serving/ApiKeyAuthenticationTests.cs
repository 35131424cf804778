using System.Net;
using System.Net.Http.Headers;

namespace ClusterLlm.Runtime.Tests.Serving;

public sealed class ApiKeyAuthenticationTests
{
    private string _keyFile = null!;
    private RuntimeServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_keyFile, "sk-first\nsk-second\n");
        _server = await RuntimeServer.StartAsync(s => s with { ApiKeyFile = _keyFile });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_keyFile);
    }

    private async Task<HttpStatusCode> SendAsync(string method, string path, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent(RuntimeServer.Chat("hi", maxTokens: 2), System.Text.Encoding.UTF8, "application/json");
        }
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await _server.Client.SendAsync(request);
        return response.StatusCode;
    }

    [TestCase(null)]
    [TestCase("sk-wrong")]
    [TestCase("sk-firs")]
    [TestCase("")]
    public async Task Api_MissingOrWrongKey_Is401(string? key)
    {
        Assert.That(await SendAsync("POST", "v1/chat/completions", key), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await SendAsync("GET", "v1/models", key), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("sk-first")]
    [TestCase("sk-second")]
    public async Task Api_ValidKey_IsServed(string key)
    {
        Assert.That(await SendAsync("POST", "v1/chat/completions", key), Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("health")]
    [TestCase("livez")]
    [TestCase("readyz")]
    [TestCase("metrics")]
    public async Task Probes_NoKey_AreOpen(string path)
    {
        Assert.That(await SendAsync("GET", path, null), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Api_WrongKey_ErrorShapeNamesTheScheme()
    {
        using var response = await _server.Client.GetAsync("v1/models");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Does.Contain("\"code\":\"invalid_api_key\"").And.Contain("Bearer"));
        Assert.That(body, Does.Not.Contain("sk-first"));
    }
}
