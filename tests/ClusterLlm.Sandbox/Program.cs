using System.CommandLine;
using ClusterLlm.Sandbox.Hosting;
using Microsoft.Extensions.Logging;

var port = new Option<int>("--port") { Description = "Loopback port to listen on (0 picks a free one).", DefaultValueFactory = _ => 0 };
var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for kubectl and KubernetesClient.", DefaultValueFactory = _ => "sandbox.kubeconfig" };
var token = new Option<string?>("--token") { Description = "Require this bearer token on every request." };
var root = new RootCommand("clusterllm-sandbox: an in-memory Kubernetes API emulator on 127.0.0.1 for tests and demos.") { port, kubeconfig, token };
root.SetAction(async (result, cancellationToken) =>
{
    if (result.GetValue(port) is < 0 or > 65535)
    {
        Console.Error.WriteLine($"--port: {result.GetValue(port)} is not a TCP port (0-65535).");
        return 2;
    }

    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
    await using var server = await SandboxServer.StartAsync(
        new SandboxOptions { Port = result.GetValue(port), KubeconfigPath = result.GetValue(kubeconfig), Token = result.GetValue(token) },
        loggerFactory,
        cancellationToken);
    Console.WriteLine($"clusterllm-sandbox listening on {server.BaseAddress}");
    Console.WriteLine($"kubeconfig: {Path.GetFullPath(server.KubeconfigPath!)}  (export KUBECONFIG=...)");
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM: stop cleanly.
    }

    return 0;
});
return await root.Parse(args).InvokeAsync();
