using System.Net;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Tests.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterLlm.Runtime.Tests.Health;

public sealed class HealthEndpointsTests
{
    [Test]
    public async Task Probes_WhileLoading_ListenAndAnswerLoadingThenReadyAfterWarmUp()
    {
        var release = new TaskCompletionSource();
        await using var server = await RuntimeServer.StartAsync(waitReady: false, holdEngineStart: release.Task);

        Assert.That(server.Engine.Status, Is.EqualTo(EngineStatus.Loading));
        using (var ready = await server.Client.GetAsync("readyz"))
        using (var health = await server.Client.GetAsync("health"))
        using (var live = await server.Client.GetAsync("livez"))
        using (var api = await server.PostJsonAsync("v1/chat/completions", RuntimeServer.Chat("hi", maxTokens: 2)))
        {
            Assert.Multiple(async () =>
            {
                Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(await health.Content.ReadAsStringAsync(),
                    Is.EqualTo("""{"error":{"message":"Loading model","type":"unavailable_error","code":503}}"""));
                Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "loading is alive");
                Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(api.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
            });
        }

        release.SetResult();
        await server.WaitUntilAsync(async () =>
        {
            using var ready = await server.Client.GetAsync("readyz");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "/readyz turns 200");

        Assert.That(server.Engine.Status, Is.EqualTo(EngineStatus.Ready), "ready only once the engine loaded and warmed up");
        using var healthAfter = await server.Client.GetAsync("health");
        using var liveAfter = await server.Client.GetAsync("livez");
        Assert.Multiple(async () =>
        {
            Assert.That(await healthAfter.Content.ReadAsStringAsync(), Is.EqualTo("""{"status":"ok"}"""));
            Assert.That(liveAfter.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Livez_HeartbeatOlderThanThreshold_Fails()
    {
        // A threshold below the loop's idle wake interval: an idle loop's heartbeat ages past it.
        await using var server = await RuntimeServer.StartAsync(configure: b =>
            b.Services.Configure<ClusterLlm.Runtime.Health.HealthOptions>(o => o.HeartbeatTimeout = TimeSpan.FromMilliseconds(1)));

        await server.WaitUntilAsync(async () =>
        {
            using var live = await server.Client.GetAsync("livez");
            return live.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "/livez fails on a stale heartbeat");
    }
}
