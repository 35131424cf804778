using System.CommandLine;
using System.Text.Json;
using ClusterLlm.Runtime.Pull;

namespace ClusterLlm.Runtime.Tests.Pull;

/// <summary>The command line end to end: exit codes and the termination log.</summary>
public sealed class PullCommandTests
{
    private static async Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand { PullCommand.Create() };
        return await root.Parse(["pull", .. args, "--log-format", "text"]).InvokeAsync();
    }

    [Test]
    public async Task Invoke_Success_ExitsZeroAndWritesResult()
    {
        using var dir = new TempDirectory();
        var model = PullHarness.Model(10_000);
        File.WriteAllBytes(dir.File("src.gguf"), model);

        var code = await RunAsync("--source", new Uri(dir.File("src.gguf")).AbsoluteUri, "--dest", dir.File("out"), "--sha256", PullHarness.Sha256(model).ToUpperInvariant(), "--termination-log", dir.File("tl"));

        Assert.That(code, Is.Zero);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("tl")));
        Assert.That(json.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(PullHarness.Sha256(model)));
        Assert.That(json.RootElement.GetProperty("gguf").GetProperty("architecture").GetString(), Is.EqualTo("llama"));
    }

    [Test]
    public async Task Invoke_NotFound_ExitsWithPermanentCodeAndWritesError()
    {
        await using var server = await FaultServer.StartAsync();
        using var dir = new TempDirectory();

        var code = await RunAsync("--source", new Uri(server.BaseUri, "files/missing.gguf").AbsoluteUri, "--dest", dir.File("out"), "--termination-log", dir.File("tl"));

        Assert.That(code, Is.EqualTo(10));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("tl")));
        Assert.That(json.RootElement.GetProperty("error").GetProperty("reason").GetString(), Is.EqualTo("NotFound"));
    }

    [Test]
    public async Task Invoke_BadDigest_ExitsInvalidRequest()
    {
        using var dir = new TempDirectory();

        var code = await RunAsync("--source", "https://example.invalid/m.gguf", "--dest", dir.Path, "--sha256", "xyz");

        Assert.That(code, Is.EqualTo((int)PullFailure.InvalidRequest));
    }

    [Test]
    public void Failures_ExitCodes_SeparatePermanentFromRetryable()
    {
        foreach (var failure in Enum.GetValues<PullFailure>())
        {
            Assert.That(failure.IsRetryable(), Is.EqualTo(failure.ExitCode() is >= 20 and < 30), failure.ToString());
            var help = PullCommand.Create().Description;
            Assert.That(help, Does.Contain($"  {failure.ExitCode()}  "), "every code is documented in --help");
        }
    }
}
