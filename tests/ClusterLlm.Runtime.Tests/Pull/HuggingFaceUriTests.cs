using ClusterLlm.Runtime.Pull;

namespace ClusterLlm.Runtime.Tests.Pull;

public sealed class HuggingFaceUriTests
{
    private static readonly Uri Hub = new("https://huggingface.co");

    [TestCase("hf://Qwen/Qwen2.5-7B-Instruct-GGUF/qwen2.5-7b-instruct-q4_k_m.gguf", "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct-GGUF/resolve/main/qwen2.5-7b-instruct-q4_k_m.gguf")]
    [TestCase("hf://org/repo/sub/dir/m.gguf@abc123", "https://huggingface.co/org/repo/resolve/abc123/sub/dir/m.gguf")]
    [TestCase("hf://org/repo/m.gguf@refs/pr/1", "https://huggingface.co/org/repo/resolve/refs%2Fpr%2F1/m.gguf")]
    public void Resolve_HfUri_MapsToResolveUrl(string source, string expected)
    {
        Assert.That(HuggingFaceUri.Resolve(source, Hub).AbsoluteUri, Is.EqualTo(expected));
    }

    [Test]
    public void Resolve_CustomEndpoint_IsUsedAsBase()
    {
        var uri = HuggingFaceUri.Resolve("hf://o/r/m.gguf", new Uri("http://127.0.0.1:8080/mirror/"));

        Assert.That(uri.AbsoluteUri, Is.EqualTo("http://127.0.0.1:8080/mirror/o/r/resolve/main/m.gguf"));
    }

    [TestCase("hf://org/repo")]
    [TestCase("hf://org//m.gguf")]
    [TestCase("hf://org/repo/m.gguf@")]
    public void Resolve_Malformed_ThrowsNamingSource(string source)
    {
        var e = Assert.Throws<PullException>(() => HuggingFaceUri.Resolve(source, Hub));

        Assert.That(e!.Message, Does.StartWith("--source:"));
        Assert.That(e.IsRetryable, Is.False);
    }

    [Test]
    public void FindToken_Sources_FollowHuggingFaceHubPrecedence()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("explicit"), "from-file\n");
        File.WriteAllText(dir.File("token"), " from-home ");
        var env = new Dictionary<string, string?> { ["HF_HOME"] = dir.Path };

        Assert.Multiple(() =>
        {
            Assert.That(HuggingFaceUri.FindToken(dir.File("explicit"), k => env.GetValueOrDefault(k)), Is.EqualTo("from-file"));
            Assert.That(HuggingFaceUri.FindToken(null, k => k == "HF_TOKEN" ? "from-env" : env.GetValueOrDefault(k)), Is.EqualTo("from-env"));
            Assert.That(HuggingFaceUri.FindToken(null, k => env.GetValueOrDefault(k)), Is.EqualTo("from-home"));
            Assert.That(HuggingFaceUri.FindToken(null, k => k == "HF_HOME" ? dir.File("none") : null), Is.Null);
            Assert.Throws<PullException>(() => HuggingFaceUri.FindToken(dir.File("missing"), _ => null));
        });
    }
}
