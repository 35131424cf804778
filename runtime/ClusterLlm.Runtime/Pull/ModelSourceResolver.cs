using ClusterLlm.Gguf;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Turns a <c>--source</c> URI into the sources of every file it names: one, or each part of a split
/// GGUF (a name ending in <c>-00001-of-0000N.gguf</c>).
/// </summary>
internal sealed class ModelSourceResolver(IHttpClientFactory httpClients, PullOptions options, TimeProvider time)
{
    public const string HttpClientName = "clusterllm-pull";

    public IReadOnlyList<IModelSource> Resolve(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source.StartsWith(HuggingFaceUri.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            var uri = HuggingFaceUri.Resolve(source, options.HuggingFaceEndpoint);
            return Expand(uri.AbsoluteUri, u => Http(new Uri(u), options.HuggingFaceToken));
        }

        if (!Uri.TryCreate(source, UriKind.Absolute, out var parsed))
        {
            throw new PullException(PullFailure.InvalidRequest, $"--source: '{source}' is not an absolute URI (https://, http://, hf://, file://)");
        }

        return parsed.Scheme switch
        {
            "https" or "http" => Expand(parsed.AbsoluteUri, u => Http(new Uri(u), bearerToken: null)),
            "file" => Expand(parsed.LocalPath, p => new FileModelSource(p)),
            _ => throw new PullException(PullFailure.InvalidRequest, $"--source: scheme '{parsed.Scheme}' is not supported (https, http, hf, file)"),
        };
    }

    private HttpModelSource Http(Uri uri, string? bearerToken) =>
        new(httpClients.CreateClient(HttpClientName), uri, options, time, bearerToken);

    // A split GGUF names its parts in its file name; any part's URI stands for all of them.
    private static IModelSource[] Expand(string location, Func<string, IModelSource> create)
    {
        var query = location.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? location : location[..query];
        var suffix = query < 0 ? string.Empty : location[query..];
        return GgufSplitPath.AllParts(path).Select(p => create(p + suffix)).ToArray();
    }
}
