using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ClusterLlm.Sandbox.Tests.Watching;

public sealed class WatchTests : SandboxFixture
{
    [Test]
    public async Task Watch_FromResourceVersion_ReplaysLaterChangesThenEndsAtTimeout()
    {
        var first = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("a"));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("b"));
        await SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/a");

        var events = await ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=1&resourceVersion={first["metadata"]!["resourceVersion"]}");

        Assert.That(events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"), Is.EqualTo(new[] { "ADDED b", "DELETED a" }));
    }

    [Test]
    public async Task Watch_WithoutResourceVersion_StartsWithCurrentState()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("present"));

        var events = await ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=1");

        Assert.That(events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"), Is.EqualTo(new[] { "ADDED present" }));
    }

    [Test]
    public async Task Watch_AllowBookmarks_SendsBookmarksWithResourceVersion()
    {
        var (_, list) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");

        var events = await ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion={list["metadata"]!["resourceVersion"]}");

        Assert.That(events, Is.Not.Empty);
        Assert.That(events.All(e => e["type"]!.GetValue<string>() == "BOOKMARK" && e["object"]!["metadata"]!["resourceVersion"] is not null), Is.True);
    }

    [Test]
    public async Task Watch_SendInitialEvents_EndsInitialStateWithAnnotatedBookmark()
    {
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("x"));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("y"));

        var events = await ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");

        Assert.Multiple(() =>
        {
            Assert.That(events.Take(2).Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"), Is.EqualTo(new[] { "ADDED x", "ADDED y" }));
            Assert.That(events[2]["type"]!.GetValue<string>(), Is.EqualTo("BOOKMARK"));
            Assert.That(events[2]["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>(), Is.EqualTo("true"));
        });
    }

    [Test]
    public async Task Watch_ExpiredResourceVersion_SendsErrorEventWith410()
    {
        var created = await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("old"));
        await CreateAsync($"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap("newer"));
        await Server.RestartAsync(keepState: true);

        var events = await ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=5&resourceVersion={created["metadata"]!["resourceVersion"]}");

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(1));
            Assert.That(events[0]["type"]!.GetValue<string>(), Is.EqualTo("ERROR"));
            Assert.That(events[0]["object"]!["code"]!.GetValue<int>(), Is.EqualTo(410));
            Assert.That(events[0]["object"]!["reason"]!.GetValue<string>(), Is.EqualTo("Expired"));
        });
    }

    [Test]
    public async Task KubernetesClientWatch_ForcedGone_RelistsAndSeesLaterChanges()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before" } }, Namespace);
        Server.Requests.Reset();
        var seen = new List<string>();
        var relists = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var reflector = Task.Run(async () =>
        {
            var list = await Client.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: stop.Token);
            var resourceVersion = list.Metadata.ResourceVersion;
            while (!stop.IsCancellationRequested)
            {
                var expired = false;
                try
                {
                    // KubernetesClient reports an in-stream ERROR Status through onError and ends the stream.
                    var events = Client.CoreV1.WatchListNamespacedConfigMapAsync(
                        Namespace,
                        resourceVersion: resourceVersion,
                        allowWatchBookmarks: true,
                        timeoutSeconds: 5,
                        onError: e => expired |= e is KubernetesException { Status.Code: 410 },
                        cancellationToken: stop.Token);
                    await foreach (var (type, item) in events)
                    {
                        resourceVersion = item.Metadata.ResourceVersion;
                        if (type is WatchEventType.Added or WatchEventType.Modified)
                        {
                            lock (seen)
                            {
                                seen.Add(item.Metadata.Name);
                            }
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !stop.IsCancellationRequested)
                {
                    // The restart cut the connection: watch again from the last resourceVersion seen.
                }

                if (expired)
                {
                    relists++;
                    resourceVersion = (await Client.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: stop.Token)).Metadata.ResourceVersion;
                }
            }
        });

        await WaitUntilAsync(() => reflector.IsCompleted || Server.Requests.Count("watch", "configmaps") > 0);
        if (reflector.IsCompleted)
        {
            await reflector;
        }

        // Another resource moves the global resourceVersion past the reflector's; a restart then
        // starts the watch history there, as a fresh watch cache does, so resuming gets 410.
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "elsewhere" } }, Namespace);
        await Server.RestartAsync(keepState: true);
        await WaitUntilAsync(() => reflector.IsCompleted || relists > 0);
        if (reflector.IsCompleted)
        {
            await reflector;
        }

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, Namespace);
        await WaitUntilAsync(() => { lock (seen) { return seen.Contains("after"); } });
        await stop.CancelAsync();
        try
        {
            await reflector;
        }
        catch (OperationCanceledException)
        {
            // The reflector stops when the test does.
        }

        Assert.That(relists, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task EndAllWatches_ClosesOpenStreams()
    {
        var (_, list) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/configmaps");
        Server.Requests.Reset();
        var watch = ReadWatchAsync($"/api/v1/namespaces/{Namespace}/configmaps?watch=1&timeoutSeconds=60&resourceVersion={list["metadata"]!["resourceVersion"]}");
        await WaitUntilAsync(() => Server.Requests.Count("watch", "configmaps") > 0);
        await Task.Delay(100);

        Server.EndAllWatches();

        var completed = await Task.WhenAny(watch, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.That(completed, Is.SameAs(watch), "the watch should end well before its 60 s timeout");
    }

    private async Task<List<JsonObject>> ReadWatchAsync(string path)
    {
        using var response = await Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<JsonObject>();
        while (await reader.ReadLineAsync() is { } line)
        {
            events.Add((JsonObject)JsonNode.Parse(line)!);
        }

        return events;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
