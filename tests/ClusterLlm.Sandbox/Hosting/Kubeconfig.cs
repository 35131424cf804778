using System.Text.Json;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>Writes a kubeconfig that points kubectl and KubernetesClient at the sandbox.</summary>
internal static class Kubeconfig
{
    public const string ContextName = "clusterllm-sandbox";

    private const string OpenToken = "sandbox-open";

    public static void Write(string path, string server, string? token)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // KubernetesClient refuses a user without credentials; an open sandbox accepts any token.
        // Double-quoted scalars are JSON strings, which YAML reads verbatim.
        var user = $"\n    token: {JsonSerializer.Serialize(token ?? OpenToken)}";
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {ContextName}
              cluster:
                server: {JsonSerializer.Serialize(server)}
            users:
            - name: {ContextName}
              user: {user}
            contexts:
            - name: {ContextName}
              context:
                cluster: {ContextName}
                user: {ContextName}
                namespace: default
            current-context: {ContextName}

            """);
    }
}
