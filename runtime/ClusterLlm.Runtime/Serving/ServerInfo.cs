using System.Reflection;

namespace ClusterLlm.Runtime.Serving;

internal static class ServerInfo
{
    /// <summary>Identifies the server build in every response, as OpenAI's <c>system_fingerprint</c> does.</summary>
    public static readonly string SystemFingerprint = "clusterllm-" + (typeof(ServerInfo).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev").Split('+')[0];
}
