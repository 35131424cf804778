using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Scheduling;

internal static class InferenceEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the llama.cpp engine as <see cref="IInferenceEngine"/>, validated <see cref="EngineOptions"/>, and a hosted
    /// service that starts loading the model when the host starts (the HTTP server can already answer "loading").
    /// </summary>
    public static IServiceCollection AddInferenceEngine(this IServiceCollection services, Action<EngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<EngineOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlamaInferenceEngine>();
        services.TryAddSingleton<IInferenceEngine>(provider => provider.GetRequiredService<LlamaInferenceEngine>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InferenceEngineHostedService>());
        return services;
    }
}

/// <summary>Starts the engine's decode loop with the host, and stops it (aborting what is left) when the host stops.</summary>
internal sealed class InferenceEngineHostedService(LlamaInferenceEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        engine.DrainAsync(TimeSpan.Zero, cancellationToken);
}
