using System.Text;
using System.Text.Json;
using ClusterLlm.Gguf;
using ClusterLlm.Runtime.Pull;

namespace ClusterLlm.Runtime.Tests.Pull;

public sealed class TerminationMessageTests
{
    private static PullResult Result(int files, string name = "model") => new()
    {
        Path = "/models/m-00001-of-00099.gguf",
        SizeBytes = 123,
        Sha256 = new string('a', 64),
        ResolvedRevision = "0123456789abcdef0123456789abcdef01234567",
        Files = Enumerable.Range(1, files).Select(i => new PulledFile($"m-{i:D5}-of-00099.gguf", i, new string('b', 64))).ToArray(),
        Gguf = new GgufFacts { Architecture = "qwen2", Name = name, Parameters = 7_615_616_512, FileType = "Q4_K_M", Layers = 28, HeadCountKvPerLayer = new int[28] },
    };

    [Test]
    public void For_Result_CarriesWhatTheOperatorReads()
    {
        using var json = JsonDocument.Parse(TerminationMessage.For(Result(files: 1)));

        var root = json.RootElement;
        Assert.That(root.GetProperty("path").GetString(), Is.EqualTo("/models/m-00001-of-00099.gguf"));
        Assert.That(root.GetProperty("sha256").GetString(), Has.Length.EqualTo(64));
        Assert.That(root.GetProperty("resolvedRevision").GetString(), Has.Length.EqualTo(40));
        Assert.That(root.GetProperty("gguf").GetProperty("fileType").GetString(), Is.EqualTo("Q4_K_M"));
        Assert.That(root.GetProperty("gguf").GetProperty("parameters").GetInt64(), Is.EqualTo(7_615_616_512));
        Assert.That(root.GetProperty("gguf").TryGetProperty("headCountKvPerLayer", out _), Is.False, "per-layer detail stays out of the message");
    }

    [Test]
    public void For_ManyFilesAndLongName_ShrinksBelowKubernetesLimit()
    {
        var message = TerminationMessage.For(Result(files: 99, name: new string('n', 3000)));

        Assert.That(Encoding.UTF8.GetByteCount(message), Is.LessThanOrEqualTo(4096));
        using var json = JsonDocument.Parse(message);
        Assert.That(json.RootElement.GetProperty("sha256").GetString(), Has.Length.EqualTo(64));
        Assert.That(json.RootElement.TryGetProperty("files", out _), Is.False);
    }

    [Test]
    public void For_Error_ClassifiesAndFits()
    {
        var message = TerminationMessage.For(new PullException(PullFailure.ChecksumMismatch, new string('x', 10_000)));

        Assert.That(Encoding.UTF8.GetByteCount(message), Is.LessThanOrEqualTo(4096));
        using var json = JsonDocument.Parse(message);
        var error = json.RootElement.GetProperty("error");
        Assert.That(error.GetProperty("reason").GetString(), Is.EqualTo("ChecksumMismatch"));
        Assert.That(error.GetProperty("exitCode").GetInt32(), Is.EqualTo(12));
        Assert.That(error.GetProperty("retryable").GetBoolean(), Is.False);
    }
}
