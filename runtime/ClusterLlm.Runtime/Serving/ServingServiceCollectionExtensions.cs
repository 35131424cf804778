using ClusterLlm.Runtime.Serving.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Serving;

internal static class ServingServiceCollectionExtensions
{
    /// <summary>The OpenAI-compatible API in front of an <see cref="Scheduling.IInferenceEngine"/>.</summary>
    public static IServiceCollection AddOpenAiServing(this IServiceCollection services, Action<ServerOptions> configure)
    {
        services.AddOptions<ServerOptions>().Configure(configure).Validate(
            o => o.MaxRequestBodyBytes > 0 && o.SsePingInterval > TimeSpan.Zero && o.DrainTimeout >= TimeSpan.Zero,
            "ServerOptions: MaxRequestBodyBytes and SsePingInterval must be positive, DrainTimeout not negative.").ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServingState>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value.ApiKeyFile is { } file
            ? ApiKeyStore.Load(file)
            : ApiKeyStore.Empty);
        services.TryAddSingleton<CompletionEndpoint>();
        services.TryAddSingleton<TokenizerEndpoints>();
        services.TryAddSingleton<ModelsEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DrainService>());
        return services;
    }

    public static WebApplication MapOpenAiServing(this WebApplication app)
    {
        app.UseMiddleware<ServingMiddleware>();
        var completions = app.Services.GetRequiredService<CompletionEndpoint>();
        var tokenizer = app.Services.GetRequiredService<TokenizerEndpoints>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        app.MapGet("/v1/models", models.ListAsync);
        app.MapPost("/v1/chat/completions", http => completions.HandleAsync(http, CompletionKind.Chat));
        app.MapPost("/v1/completions", http => completions.HandleAsync(http, CompletionKind.Text));
        app.MapPost("/tokenize", tokenizer.TokenizeAsync);
        app.MapPost("/detokenize", tokenizer.DetokenizeAsync);
        app.MapFallback(http => ErrorResponses.WriteAsync(http, ApiError.NotFound(http.Request.Path)));
        return app;
    }
}
