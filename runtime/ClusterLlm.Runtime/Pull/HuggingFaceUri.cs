namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Maps <c>hf://org/repo/path/in/repo[@revision]</c> to the resolve URL huggingface_hub uses:
/// <c>{endpoint}/org/repo/resolve/{revision}/path/in/repo</c>, revision defaulting to <c>main</c>.
/// </summary>
internal static class HuggingFaceUri
{
    public const string Scheme = "hf";

    public static Uri Resolve(string source, Uri endpoint)
    {
        var body = source[(Scheme.Length + 3)..];
        var revision = "main";
        var at = body.LastIndexOf('@');
        if (at >= 0)
        {
            revision = body[(at + 1)..];
            body = body[..at];
        }

        var parts = body.Split('/');
        if (parts.Length < 3 || parts.Any(string.IsNullOrEmpty) || revision.Length == 0)
        {
            throw new PullException(PullFailure.InvalidRequest, $"--source: '{source}' is not hf://ORG/REPO/PATH[@REVISION]");
        }

        var path = string.Join('/', parts[2..].Select(Uri.EscapeDataString));
        var root = endpoint.AbsoluteUri.TrimEnd('/');
        return new Uri($"{root}/{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}/resolve/{Uri.EscapeDataString(revision)}/{path}");
    }

    /// <summary>
    /// The token as huggingface_hub finds it: an explicit file, else <c>HF_TOKEN</c>, else
    /// <c>HF_TOKEN_PATH</c>, else <c>$HF_HOME/token</c> (HF_HOME defaulting to ~/.cache/huggingface).
    /// </summary>
    public static string? FindToken(string? tokenFile, Func<string, string?> environment)
    {
        if (tokenFile is not null)
        {
            return ReadToken(tokenFile) ?? throw new PullException(PullFailure.InvalidRequest, $"--token-file: '{tokenFile}' is missing or empty");
        }

        if (environment("HF_TOKEN") is { Length: > 0 } token)
        {
            return token.Trim();
        }

        var home = environment("HF_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface");
        return ReadToken(environment("HF_TOKEN_PATH") ?? Path.Combine(home, "token"));
    }

    private static string? ReadToken(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
}
