using ClusterLlm.Runtime.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Tests.Scheduling;

public sealed class InferenceEngineServiceCollectionExtensionsTests
{
    [Test]
    public async Task AddInferenceEngine_HostStarted_LoadsTheModelAndServes()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddInferenceEngine(o => { o.ModelPath = TestModels.Tiny; o.ContextSize = 1024; o.Parallel = 2; o.Threads = 1; });
        using var host = builder.Build();

        await host.StartAsync();
        var engine = host.Services.GetRequiredService<IInferenceEngine>();
        await host.Services.GetRequiredService<LlamaInferenceEngine>().Loaded.WaitAsync(EngineHarness.Timeout);
        var result = await EngineHarness.RunAsync(engine, EngineHarness.Greedy([1, 15043], 3));
        await host.StopAsync();

        Assert.That(engine, Is.SameAs(host.Services.GetRequiredService<LlamaInferenceEngine>()));
        Assert.That(result.Finish, Is.EqualTo(FinishReason.Length));
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Draining));
    }

    [Test]
    public void AddInferenceEngine_InvalidOptions_FailsAtStartNamingTheFlag()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddInferenceEngine(o => { o.ModelPath = TestModels.Tiny; o.Parallel = 0; });
        using var host = builder.Build();

        Assert.That(() => host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("--parallel"));
    }

    [Test]
    public void AddInferenceEngine_CalledTwice_RegistersOneEngineAndOneHostedService()
    {
        var services = new ServiceCollection();

        services.AddInferenceEngine(o => o.ModelPath = "a.gguf").AddInferenceEngine(o => o.Parallel = 2);

        Assert.That(services.Count(d => d.ServiceType == typeof(IInferenceEngine)), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ImplementationType == typeof(InferenceEngineHostedService)), Is.EqualTo(1));
    }
}
