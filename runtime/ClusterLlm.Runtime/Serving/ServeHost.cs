using System.Net;
using ClusterLlm.Runtime.Health;
using ClusterLlm.Runtime.Metrics;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Serving;

/// <summary>Composes the serve process: Kestrel, the engine, the OpenAI API, probes and metrics.</summary>
internal static class ServeHost
{
    /// <summary>Time after the drain for the server to flush the last responses and stop.</summary>
    private static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ServeSettings settings)
    {
        var app = Build(settings);
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        return 0;
    }

    /// <param name="settings">What to serve, and how.</param>
    /// <param name="configure">Last-word changes to the builder; tests use it to shorten timings.</param>
    public static WebApplication Build(ServeSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        // Per-request framework logs are noise on the hot path; they never carry bodies either way.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            Listen(kestrel, settings.Host, settings.Port);
        });
        // Each SSE event is its own small write; Nagle would hold tokens back.
        builder.WebHost.UseSockets(sockets => sockets.NoDelay = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.DrainTimeout + StopMargin);

        builder.Services.AddInferenceEngine(engine => EngineSettings.Apply(settings, engine));
        builder.Services.AddOpenAiServing(server =>
        {
            server.ModelAlias = settings.EffectiveAlias;
            server.Pool = settings.Pool;
            server.Revision = settings.Revision;
            server.ApiKeyFile = settings.ApiKeyFile;
            server.DrainTimeout = settings.DrainTimeout;
            server.SsePingInterval = settings.SsePingInterval;
        });
        builder.Services.AddRuntimeHealth(_ => { });
        builder.Services.AddRuntimeMetrics();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapRuntimeHealth();
        app.MapRuntimeMetrics();
        app.MapOpenAiServing();
        return app;
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string host, int port)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port);
        }
        else
        {
            throw new ArgumentException($"--host: '{host}' is not an IP address or 'localhost'.", nameof(host));
        }
    }
}
