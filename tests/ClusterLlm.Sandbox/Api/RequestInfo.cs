namespace ClusterLlm.Sandbox.Api;

/// <summary>
/// What a request addresses, parsed from its path as the API server's RequestInfoFactory does:
/// <c>/api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]</c> and the same under
/// <c>/apis/{group}/{version}</c>.
/// </summary>
internal sealed record RequestInfo(string Verb, string Group, string Version, string Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>The verb a request performs, from its method, path and <c>watch</c> query.</summary>
    public static RequestInfo? Parse(string method, string path, bool watch)
    {
        var parts = path.Trim('/').Split('/');
        int index;
        string group;
        string version;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, index) = ("", parts[1], 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, index) = (parts[1], parts[2], 3);
        }
        else
        {
            return null;
        }

        var rest = parts[index..];
        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            ns = rest[1];
            rest = rest[2..];
        }
        else if (rest.Length is 2 or 3 && rest[0] == "namespaces")
        {
            // /namespaces/{name}[/{subresource}] addresses the namespace object itself.
            return new RequestInfo(VerbOf(method, true, watch), group, version, "namespaces", null, rest[1], rest.Length == 3 ? rest[2] : null);
        }

        if (rest.Length is < 1 or > 3)
        {
            return null;
        }

        var name = rest.Length >= 2 ? rest[1] : null;
        var subresource = rest.Length == 3 ? rest[2] : null;
        return new RequestInfo(VerbOf(method, name is not null, watch), group, version, rest[0], ns, name, subresource);
    }

    private static string VerbOf(string method, bool named, bool watch) => method switch
    {
        "GET" or "HEAD" when watch => "watch",
        "GET" or "HEAD" => named ? "get" : "list",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => named ? "delete" : "deletecollection",
        _ => method.ToLowerInvariant(),
    };
}
