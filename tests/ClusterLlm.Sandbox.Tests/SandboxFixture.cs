using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Hosting;
using k8s;

namespace ClusterLlm.Sandbox.Tests;

/// <summary>
/// One sandbox per test fixture, on a random loopback port, with a kubeconfig, a KubernetesClient,
/// a raw HTTP client and a kubectl runner. Each test works in its own namespace.
/// </summary>
public abstract class SandboxFixture
{
    private string _directory = "";

    protected SandboxServer Server { get; private set; } = null!;

    protected IKubernetes Client { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected string Namespace { get; private set; } = "";

    /// <summary>Overridden by fixtures that need a token or short bookmark intervals.</summary>
    protected virtual SandboxOptions Options() => new() { BookmarkInterval = TimeSpan.FromMilliseconds(300) };

    [OneTimeSetUp]
    public async Task StartSandboxAsync()
    {
        _directory = Directory.CreateTempSubdirectory("sandbox-tests-").FullName;
        var options = Options();
        options.KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        Server = await SandboxServer.StartAsync(options);
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath));
        Http = new HttpClient { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (options.Token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }
    }

    [OneTimeTearDown]
    public async Task StopSandboxAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [SetUp]
    public async Task CreateNamespaceAsync()
    {
        Namespace = "t-" + Guid.NewGuid().ToString("N")[..10];
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = Namespace } });
    }

    /// <summary>Sends a JSON request and returns the status code and parsed body.</summary>
    protected async Task<(int Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? []);
    }

    protected async Task<JsonObject> CreateAsync(string collectionPath, JsonObject obj)
    {
        var (code, body) = await SendAsync(HttpMethod.Post, collectionPath, obj);
        Assert.That(code, Is.EqualTo(201), body.ToJsonString());
        return body;
    }

    protected static JsonObject ConfigMap(string name, params (string Key, string Value)[] data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
    };

    protected static JsonObject Deployment(string name, int replicas = 1, string image = "nginx:1") => (JsonObject)JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME","labels":{"app":"NAME"}},
         "spec":{"replicas":REPLICAS,"selector":{"matchLabels":{"app":"NAME"}},
                 "template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"containers":[{"name":"app","image":"IMAGE","env":[{"name":"A","value":"1"}]}]}}}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal))!;

    /// <summary>Runs the real kubectl against the sandbox; the result carries the exit code and both streams.</summary>
    protected async Task<KubectlResult> KubectlAsync(string arguments, string? stdin = null, int timeoutSeconds = 30)
    {
        var kubectl = Path.Combine(RepoRoot(), ".deps", "bin", "kubectl");
        Assert.That(File.Exists(kubectl), Is.True, $"kubectl is missing at {kubectl}; run make setup");
        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig=" + Server.KubeconfigPath);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(_directory, "cache"));
        start.ArgumentList.Add("--namespace=" + Namespace);
        foreach (var argument in SplitArguments(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    private static IEnumerable<string> SplitArguments(string arguments)
    {
        var current = new StringBuilder();
        var quote = '\0';
        foreach (var c in arguments)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ' ')
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterLlm.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ClusterLlm.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
