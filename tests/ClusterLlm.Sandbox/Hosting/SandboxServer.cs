using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Crds;
using ClusterLlm.Sandbox.Faults;
using ClusterLlm.Sandbox.Lifecycle;
using ClusterLlm.Sandbox.Logs;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>
/// A running sandbox API server on 127.0.0.1: start it in-process (tests) or from the executable.
/// The API state lives in its own service provider, so <see cref="RestartAsync"/> can stop and
/// start the HTTP listener on the same port with or without the stored objects.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private readonly ServiceProvider _services;
    private readonly SandboxOptions _options;
    private readonly Lock _gate = new();
    private WebApplication? _web;
    private bool _wired;

    private SandboxServer(ServiceProvider services, SandboxOptions options)
    {
        _services = services;
        _options = options;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string? KubeconfigPath => _options.KubeconfigPath;

    public FaultInjector Faults => _services.GetRequiredService<FaultInjector>();

    public RequestCounters Requests => _services.GetRequiredService<RequestCounters>();

    /// <summary>Container logs served by <c>kubectl logs</c>; the node agent appends to them.</summary>
    public PodLogs Logs => _services.GetRequiredService<PodLogs>();

    internal ObjectOperations Operations => _services.GetRequiredService<ObjectOperations>();

    internal IServiceProvider Services => _services;

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new ServiceCollection();
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
        }

        services.AddSandbox(o =>
        {
            o.Port = options.Port;
            o.Token = options.Token;
            o.KubeconfigPath = options.KubeconfigPath;
            o.BookmarkInterval = options.BookmarkInterval;
            o.WatchHistory = options.WatchHistory;
            o.AdminEndpoints = options.AdminEndpoints;
            o.TimeProvider = options.TimeProvider;
        });
        var provider = services.BuildServiceProvider();
        var server = new SandboxServer(provider, provider.GetRequiredService<IOptions<SandboxOptions>>().Value);
        try
        {
            await server.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await server.ListenAsync(options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (options.KubeconfigPath is not null)
        {
            Kubeconfig.Write(options.KubeconfigPath, server.BaseAddress.ToString().TrimEnd('/'), options.Token);
        }

        return server;
    }

    /// <summary>Writes a kubeconfig for this server to <paramref name="path"/>.</summary>
    public void WriteKubeconfig(string path) => Kubeconfig.Write(path, BaseAddress.ToString().TrimEnd('/'), _options.Token);

    /// <summary>Ends every open watch; clients see their streams close and must re-watch.</summary>
    public void EndAllWatches() => _services.GetRequiredService<ObjectStore>().EndAllWatches();

    /// <summary>
    /// Stops the listener and starts it again on the same port, as an API server restart does: open
    /// connections and watches drop, and watch history is lost, so older resourceVersions get 410.
    /// Without <paramref name="keepState"/> every object and CRD is gone too.
    /// </summary>
    public async Task RestartAsync(bool keepState, CancellationToken cancellationToken = default)
    {
        WebApplication? web;
        lock (_gate)
        {
            web = _web;
            _web = null;
        }

        // Watches end first, so the listener's graceful stop is not held by long-running streams.
        _services.GetRequiredService<ObjectStore>().Reset(keepObjects: keepState);
        await StopListenerAsync(web, cancellationToken).ConfigureAwait(false);
        if (!keepState)
        {
            _services.GetRequiredService<ResourceRegistry>().Reset(BuiltInResources.All);
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        await ListenAsync(Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the in-process controllers (garbage collector, CRD controller) have no queued work.</summary>
    public async Task WaitForControllersAsync(CancellationToken cancellationToken = default)
    {
        var work = _services.GetRequiredService<BackgroundWork>();
        while (!work.Idle)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        WebApplication? web;
        lock (_gate)
        {
            web = _web;
            _web = null;
        }

        _services.GetRequiredService<ObjectStore>().EndAllWatches();
        await StopListenerAsync(web, CancellationToken.None).ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var registry = _services.GetRequiredService<ResourceRegistry>();
        if (registry.All.Count == 0)
        {
            registry.Register(BuiltInResources.All);
        }

        var operations = Operations;
        if (!_wired)
        {
            operations.AddObserver(_services.GetRequiredService<CrdController>());
            operations.AddObserver(_services.GetRequiredService<GarbageCollector>());
            operations.AddObserver(_services.GetRequiredService<NamespaceController>());
            operations.AddObserver(_services.GetRequiredService<PodLogRetention>());
            _wired = true;
        }

        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in SystemNamespaces)
        {
            if (operations.Store.Get(namespaces.GroupResource, "", name) is null)
            {
                await operations.CreateAsync(namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, RequestOptions.System("sandbox"), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops a listener, aborting requests (log follows, slow webhooks) still open after a short grace.</summary>
    private static async Task StopListenerAsync(WebApplication? web, CancellationToken cancellationToken)
    {
        if (web is null)
        {
            return;
        }

        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(TimeSpan.FromSeconds(2));
        await web.StopAsync(grace.Token).ConfigureAwait(false);
        await web.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ListenAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port);
            k.AllowSynchronousIO = false;
            k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
        });
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        if (_services.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        var web = builder.Build();
        var admin = new AdminEndpoints(Faults, Requests, Logs, keep => RestartAsync(keep), EndAllWatches);
        var pipeline = new RequestPipeline(_services.GetRequiredService<Api.ApiHandler>(), admin, Faults, Requests, _options);
        web.Run(pipeline.InvokeAsync);
        await web.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        lock (_gate)
        {
            _web = web;
        }
    }
}
