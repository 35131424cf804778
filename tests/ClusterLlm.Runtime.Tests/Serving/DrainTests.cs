using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterLlm.Runtime.Tests.Serving;

/// <summary>SIGTERM on a real <c>clusterllm-runtime serve</c> process under load.</summary>
public sealed class DrainTests
{
    [Test]
    public async Task Sigterm_UnderLoad_FinishesEveryAcceptedRequestRefusesNewOnesAndExitsZero()
    {
        var port = FreePort();
        using var process = StartServe(port);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = RuntimeServer.Timeout };
        try
        {
            await WaitReadyAsync(client, process);

            // Two slots, four requests: two decoding and two queued when the signal arrives.
            const int MaxTokens = 1500;
            var streams = new List<(HttpResponseMessage Response, SseStream Stream)>();
            for (var i = 0; i < 4; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
                {
                    Content = new StringContent(RuntimeServer.Chat($"drain {i}", MaxTokens, stream: true, includeUsage: true), System.Text.Encoding.UTF8, "application/json"),
                };
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                streams.Add((response, await SseStream.OpenAsync(response)));
                if (i == 1)
                {
                    Assert.That(await streams[0].Stream.NextAsync(), Is.Not.Null);
                }
            }

            Signal(process, "TERM");
            await WaitNotReadyAsync(client);

            using (var late = await client.PostAsync("v1/chat/completions", new StringContent(RuntimeServer.Chat("late", 2), System.Text.Encoding.UTF8, "application/json")))
            {
                Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "new requests are refused while draining");
                Assert.That(late.Headers.RetryAfter, Is.Not.Null);
            }

            foreach (var (response, stream) in streams)
            {
                var events = await stream.ReadToDoneAsync();
                Assert.That(events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(MaxTokens), "accepted requests run to the end");
                response.Dispose();
            }
            using var exit = new CancellationTokenSource(RuntimeServer.Timeout);
            await process.WaitForExitAsync(exit.Token);
            Assert.That(process.ExitCode, Is.Zero);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Test]
    public async Task Stop_PastDrainTimeout_StreamEndsWithErrorEventThenDone()
    {
        var server = await RuntimeServer.StartAsync(s => s with { DrainTimeout = TimeSpan.Zero });
        await using (server)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent(RuntimeServer.Chat("never finishes", 900, stream: true), System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var stream = await SseStream.OpenAsync(response);
            Assert.That(await stream.NextAsync(), Is.Not.Null);

            var stopping = server.StopAsync();
            var events = await stream.ReadToDoneAsync();
            await stopping;

            var error = events[^1].GetProperty("error");
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("unavailable_error"));
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("shutdown"));
        }
    }

    private static Process StartServe(int port)
    {
        var runtime = Path.Combine(AppContext.BaseDirectory, "clusterllm-runtime.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", runtime, "serve", "--model", TestModels.Tiny, "--alias", "tiny", "--host", "127.0.0.1",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--ctx-size", "4096", "--threads", "1", "--drain-timeout", "60",
        })
        {
            info.ArgumentList.Add(argument);
        }
        // Flags win over variables; these two come only from the environment.
        info.Environment["CLUSTERLLM_PARALLEL"] = "2";
        info.Environment["CLUSTERLLM_MAX_QUEUE"] = "8";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient client, Process process)
    {
        using var timeout = new CancellationTokenSource(RuntimeServer.Timeout);
        while (true)
        {
            Assert.That(process.HasExited, Is.False, "serve exited early");
            try
            {
                using var ready = await client.GetAsync("readyz", timeout.Token);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    var slots = await client.GetStringAsync("metrics", timeout.Token);
                    Assert.That(PrometheusText.Value(slots, "clusterllm_server_slots_total"), Is.EqualTo(2), "CLUSTERLLM_PARALLEL applies");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>The signal is handled asynchronously; readiness flips within moments, while the requests still run.</summary>
    private static async Task WaitNotReadyAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            using var ready = await client.GetAsync("readyz", timeout.Token);
            if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return;
            }
            await Task.Delay(10, timeout.Token);
        }
    }

    private static void Signal(Process process, string signal)
        => Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
