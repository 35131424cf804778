using ClusterLlm.Runtime.Tests.Serving;

namespace ClusterLlm.Runtime.Tests.Metrics;

/// <summary>The exact Prometheus series the operator's SLO rules and GIE pickers read (Metrics/README.md).</summary>
public sealed class RuntimeMetricsTests
{
    internal static readonly string[] Series =
    [
        "gen_ai_server_time_to_first_token_seconds_bucket",
        "gen_ai_server_time_per_output_token_seconds_bucket",
        "gen_ai_server_request_duration_seconds_bucket",
        "clusterllm_server_queue_duration_seconds_bucket",
        "clusterllm_server_requests_total",
        "clusterllm_server_stream_failures_total",
        "clusterllm_server_prompt_tokens_total",
        "clusterllm_server_generation_tokens_total",
        "clusterllm_server_cached_prompt_tokens_total",
        "clusterllm_server_requests_running",
        "clusterllm_server_requests_waiting",
        "clusterllm_server_kv_cache_usage_ratio",
        "clusterllm_server_slots_total",
        "clusterllm_server_slots_busy",
        "clusterllm_server_model_load_state",
    ];

    [Test]
    public async Task Scrape_AfterTraffic_ExportsEverySeriesWithBoundedLabels()
    {
        await using var server = await RuntimeServer.StartAsync();
        using (var ok = await server.PostJsonAsync("v1/chat/completions", RuntimeServer.Chat("count me", maxTokens: 5, stream: true)))
        {
            await ok.Content.ReadAsStringAsync();
        }
        using (var bad = await server.PostJsonAsync("v1/chat/completions", """{"messages":[]}"""))
        {
            await bad.Content.ReadAsStringAsync();
        }

        var text = await server.ScrapeMetricsAsync();
        var samples = PrometheusText.Samples(text).ToList();

        Assert.Multiple(() =>
        {
            foreach (var name in Series)
            {
                var series = samples.Where(s => s.Name == name).ToList();
                Assert.That(series, Is.Not.Empty, name);
                foreach (var sample in series)
                {
                    Assert.That(sample.Labels, Does.ContainKey("model").WithValue("tiny"), name);
                    Assert.That(sample.Labels, Does.ContainKey("pool").WithValue("test-pool"), name);
                    Assert.That(sample.Labels, Does.ContainKey("revision").WithValue("r1"), name);
                    var allowed = new[] { "model", "pool", "revision", "status_code", "finish_reason", "le", "otel_scope_name", "otel_scope_version" };
                    Assert.That(sample.Labels.Keys, Is.SubsetOf(allowed), name);
                }
            }
            Assert.That(PrometheusText.Value(text, "clusterllm_server_requests_total", ("status_code", "200"), ("finish_reason", "length")), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "clusterllm_server_requests_total", ("status_code", "400"), ("finish_reason", "none")), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "clusterllm_server_generation_tokens_total"), Is.EqualTo(5));
            Assert.That(PrometheusText.Value(text, "gen_ai_server_time_to_first_token_seconds_count"), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "clusterllm_server_slots_total"), Is.EqualTo(2));
            Assert.That(PrometheusText.Value(text, "clusterllm_server_model_load_state"), Is.EqualTo(1));
            Assert.That(PrometheusText.Value(text, "clusterllm_server_requests_total", ("status_code", "429"), ("finish_reason", "none")), Is.Zero, "outcomes exist from startup");
        });
    }
}
