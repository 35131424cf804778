using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>
/// The real serve host (Kestrel, engine, API, probes, metrics) in process on a random loopback port,
/// serving the tiny test model.
/// </summary>
internal sealed class RuntimeServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private readonly Task _starting;

    private RuntimeServer(WebApplication app, Task starting, Uri baseAddress)
    {
        _app = app;
        _starting = starting;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IInferenceEngine Engine => _app.Services.GetRequiredService<IInferenceEngine>();

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Changes to the defaults: tiny model, alias "tiny", 2 slots, 2048 tokens of context.</param>
    /// <param name="configure">Builder changes, such as a short SSE ping interval.</param>
    /// <param name="waitReady">Wait until the model is loaded and warmed up.</param>
    /// <param name="holdEngineStart">When given, the engine starts loading only once this task completes; the server listens meanwhile.</param>
    public static async Task<RuntimeServer> StartAsync(
        Func<ServeSettings, ServeSettings>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        bool waitReady = true,
        Task? holdEngineStart = null)
    {
        var defaults = new ServeSettings
        {
            ModelPath = TestModels.Tiny,
            Alias = "tiny",
            Host = "127.0.0.1",
            Port = 0,
            ContextSize = 2048,
            Parallel = 2,
            MaxQueue = 16,
            Threads = 1,
            Pool = "test-pool",
            Revision = "r1",
        };
        var app = ServeHost.Build(settings?.Invoke(defaults) ?? defaults, builder =>
        {
            builder.Logging.ClearProviders();
            if (holdEngineStart is not null)
            {
                HoldEngineStart(builder.Services, holdEngineStart);
            }
            configure?.Invoke(builder);
        });
        var starting = app.StartAsync();
        // Kestrel starts before the engine's hosted service, so the address appears even while the engine is held.
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            while (addresses.Count == 0 && !starting.IsCompleted)
            {
                await Task.Delay(5, timeout.Token);
            }
        }
        if (starting.IsCompleted)
        {
            await starting;
        }
        var server = new RuntimeServer(app, starting, new Uri(addresses.First() + "/"));
        if (waitReady)
        {
            await server.WaitUntilAsync(() => server.Engine.Status == EngineStatus.Ready);
        }
        return server;
    }

    /// <summary>Polls a condition until it holds; fails the test after <see cref="Timeout"/>.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string? because = null)
        => WaitUntilAsync(() => Task.FromResult(condition()), because);

    /// <summary>Polls an asynchronous condition until it holds; fails the test after <see cref="Timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string? because = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting: {because ?? "condition"}. Engine: {Engine.Status}, {Engine.Snapshot}.");
            }
            await Task.Delay(10, CancellationToken.None);
        }
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, CancellationToken cancellationToken = default)
        => Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync(path));
        return document.RootElement.Clone();
    }

    public Task<string> ScrapeMetricsAsync() => Client.GetStringAsync("metrics");

    public static string Chat(string content, int maxTokens, bool stream = false, bool includeUsage = false, bool ignoreEos = true)
        => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = "tiny",
            ["messages"] = new[] { new { role = "user", content } },
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["ignore_eos"] = ignoreEos,
            ["stream"] = stream,
            ["stream_options"] = includeUsage ? new { include_usage = true } : null,
        });

    /// <summary>
    /// Replaces the engine's hosted service with one that starts it only once <paramref name="release"/> completes,
    /// so a test can look at the server while the real engine has not begun loading.
    /// </summary>
    private static void HoldEngineStart(IServiceCollection services, Task release)
    {
        var original = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "InferenceEngineHostedService");
        services.Remove(original);
        services.AddSingleton<IHostedService>(sp => new DeferredStart((IHostedService)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!), release));
    }

    private sealed class DeferredStart(IHostedService inner, Task release) : IHostedService
    {
        private Task _started = Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _started = release.ContinueWith(_ => inner.StartAsync(CancellationToken.None), TaskScheduler.Default).Unwrap();
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await _started;
            await inner.StopAsync(cancellationToken);
        }
    }

    /// <summary>Stops the host as SIGTERM would: drain, then stop Kestrel and the engine.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _starting;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
