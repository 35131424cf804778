using ClusterLlm.Sandbox.Admission;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Crds;
using ClusterLlm.Sandbox.Discovery;
using ClusterLlm.Sandbox.Faults;
using ClusterLlm.Sandbox.Lifecycle;
using ClusterLlm.Sandbox.Logs;
using ClusterLlm.Sandbox.OpenApi;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Storage;
using ClusterLlm.Sandbox.Watching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Sandbox.Hosting;

/// <summary>Registers the sandbox's API machinery: registry, store, controllers, admission and handlers.</summary>
public static class SandboxServiceCollectionExtensions
{
    public static IServiceCollection AddSandbox(this IServiceCollection services, Action<SandboxOptions> configure)
    {
        services.AddOptions<SandboxOptions>().Configure(configure);
        services.AddLogging();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SandboxOptions>>().Value.TimeProvider);
        services.TryAddSingleton(_ => new ResourceRegistry());
        services.TryAddSingleton(sp => new ObjectStore(sp.GetRequiredService<IOptions<SandboxOptions>>().Value.WatchHistory));
        services.TryAddSingleton<BuiltInDefaults>();
        services.TryAddSingleton<WebhookAdmission>();
        services.TryAddSingleton<IAdmission>(sp => sp.GetRequiredService<WebhookAdmission>());
        services.TryAddSingleton<ObjectOperations>();
        services.TryAddSingleton<BackgroundWork>();
        services.TryAddSingleton<CrdController>();
        services.TryAddSingleton<GarbageCollector>();
        services.TryAddSingleton<NamespaceController>();
        services.TryAddSingleton<PodLogs>();
        services.TryAddSingleton<PodLogRetention>();
        services.TryAddSingleton<DiscoveryDocuments>();
        services.TryAddSingleton<OpenApiDocuments>();
        services.TryAddSingleton(sp => new WatchStreamer(sp.GetRequiredService<ObjectStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<SandboxOptions>>().Value.BookmarkInterval));
        services.TryAddSingleton<ApiHandler>();
        services.TryAddSingleton<FaultInjector>();
        services.TryAddSingleton<RequestCounters>();
        return services;
    }
}
