using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Pull;

internal static class PullServiceCollectionExtensions
{
    public static IServiceCollection AddModelPull(this IServiceCollection services, Action<PullOptions> configure)
    {
        services.AddOptions<PullOptions>().Configure(configure).Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PullOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFreeSpaceProvider, FileSystemFreeSpaceProvider>();
        services.TryAddSingleton(_ => PullConsole.FromEnvironment());
        services.TryAddSingleton<ModelSourceResolver>();
        services.TryAddSingleton<ModelDownloader>();
        services.TryAddSingleton<ModelPuller>();
        services.AddHttpClient(ModelSourceResolver.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                ConnectTimeout = sp.GetRequiredService<PullOptions>().ConnectTimeout,
                UseCookies = false,
            });
        return services;
    }
}
