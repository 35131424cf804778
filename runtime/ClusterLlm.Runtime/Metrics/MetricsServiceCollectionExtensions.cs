using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace ClusterLlm.Runtime.Metrics;

internal static class MetricsServiceCollectionExtensions
{
    /// <summary><see cref="RuntimeMetrics"/>, exported in Prometheus format by OpenTelemetry.</summary>
    public static IServiceCollection AddRuntimeMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RuntimeMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RuntimeMetrics.MeterName)
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapRuntimeMetrics(this WebApplication app)
    {
        // The exporter must listen before the instruments exist, or their zero-initialised outcome series are lost.
        app.Services.GetRequiredService<MeterProvider>();
        app.Services.GetRequiredService<RuntimeMetrics>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
