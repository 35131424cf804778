using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClusterLlm.Runtime.Health;

internal static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddRuntimeHealth(this IServiceCollection services, Action<HealthOptions> configure)
    {
        services.AddOptions<HealthOptions>().Configure(configure)
            .Validate(o => o.HeartbeatTimeout > TimeSpan.Zero, "HealthOptions.HeartbeatTimeout must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthEndpoints>();
        return services;
    }

    /// <summary><c>/health</c> (llama-server compatible), <c>/livez</c> and <c>/readyz</c>; no API key needed.</summary>
    public static WebApplication MapRuntimeHealth(this WebApplication app)
    {
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        app.MapGet("/health", health.HealthAsync);
        app.MapGet("/livez", health.LiveAsync);
        app.MapGet("/readyz", health.ReadyAsync);
        return app;
    }
}
