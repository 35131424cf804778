using ClusterLlm.Runtime.Serving.Protocol;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Serving;

/// <summary><c>GET /v1/models</c>: the one model this replica serves, under its alias.</summary>
internal sealed class ModelsEndpoint(IOptions<ServerOptions> options, TimeProvider time)
{
    private readonly long _created = time.GetUtcNow().ToUnixTimeSeconds();

    public Task ListAsync(HttpContext http) => JsonResponses.WriteAsync(http, json =>
    {
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        json.WriteStartObject();
        json.WriteString("id", options.Value.ModelAlias);
        json.WriteString("object", "model");
        json.WriteNumber("created", _created);
        json.WriteString("owned_by", "clusterllm");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
