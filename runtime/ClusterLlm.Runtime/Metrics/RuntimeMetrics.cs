using System.Diagnostics;
using System.Diagnostics.Metrics;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Metrics;

/// <summary>
/// Every instrument the runtime exports. Names follow the OpenTelemetry GenAI conventions where they
/// exist; the operator's SLO rules and GIE endpoint pickers read exactly these (see README.md).
/// Labels stay bounded: model alias, pool, revision, plus status code and finish reason on outcomes.
/// </summary>
internal sealed class RuntimeMetrics
{
    public const string MeterName = "ClusterLlm.Runtime";

    // LLM latencies span milliseconds (a cached prefill) to minutes (a long generation behind a queue).
    private static readonly double[] FirstTokenBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    private static readonly double[] PerTokenBuckets = [0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5];
    private static readonly double[] DurationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640];
    private static readonly double[] QueueBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80];

    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _queueTime;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _streamFailures;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _cachedTokens;
    private readonly KeyValuePair<string, object?>[] _labels;

    public RuntimeMetrics(IMeterFactory meterFactory, IInferenceEngine engine, IOptions<ServerOptions> options)
    {
        var server = options.Value;
        _labels =
        [
            new("model", server.ModelAlias),
            new("pool", server.Pool),
            new("revision", server.Revision),
        ];
        var meter = meterFactory.Create(MeterName);

        _timeToFirstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s",
            "Time from a request's arrival to its first output token.", advice: Buckets(FirstTokenBuckets));
        _timePerOutputToken = meter.CreateHistogram("gen_ai.server.time_per_output_token", "s",
            "Mean time between output tokens after the first, per request.", advice: Buckets(PerTokenBuckets));
        _requestDuration = meter.CreateHistogram("gen_ai.server.request.duration", "s",
            "Time from a request's arrival to its last byte.", advice: Buckets(DurationBuckets));
        _queueTime = meter.CreateHistogram("clusterllm.server.queue.duration", "s",
            "Time an accepted request waited for a slot.", advice: Buckets(QueueBuckets));

        _requests = meter.CreateCounter<long>("clusterllm.server.requests", "{request}",
            "Completion requests by HTTP status code and finish reason.");
        _streamFailures = meter.CreateCounter<long>("clusterllm.server.stream.failures", "{request}",
            "Streams that failed after their 200 status was sent.");
        _promptTokens = meter.CreateCounter<long>("clusterllm.server.prompt_tokens", "{token}",
            "Prompt tokens of finished requests, cached ones included.");
        _generationTokens = meter.CreateCounter<long>("clusterllm.server.generation_tokens", "{token}",
            "Generated tokens.");
        _cachedTokens = meter.CreateCounter<long>("clusterllm.server.cached_prompt_tokens", "{token}",
            "Prompt tokens served from the slot's KV cache instead of being decoded.");

        meter.CreateObservableGauge("clusterllm.server.requests.running", () => Measure(engine.Snapshot.RequestsRunning), "{request}",
            "Requests holding a slot (prefill or decode).");
        meter.CreateObservableGauge("clusterllm.server.requests.waiting", () => Measure(engine.Snapshot.RequestsWaiting), "{request}",
            "Accepted requests waiting for a slot.");
        meter.CreateObservableGauge("clusterllm.server.kv_cache.usage_ratio", () => Measure(engine.Snapshot.KvCacheUsageRatio), "1",
            "Fraction of KV-cache cells in use, 0 to 1.");
        meter.CreateObservableGauge("clusterllm.server.slots.total", () => Measure(engine.Snapshot.SlotsTotal), "{slot}",
            "Parallel sequences (slots) the context holds.");
        meter.CreateObservableGauge("clusterllm.server.slots.busy", () => Measure(engine.Snapshot.SlotsBusy), "{slot}",
            "Slots serving a request.");
        meter.CreateObservableGauge("clusterllm.server.model.load_state", () => Measure((int)engine.Status), "{state}",
            "Model state: 0 loading, 1 ready, 2 draining, 3 failed.");

        // Outcome series exist from startup, so rate() and absent() behave before the first request.
        foreach (var (status, reason) in KnownOutcomes)
        {
            _requests.Add(0, Outcome(status, reason));
        }
        _streamFailures.Add(0, new TagList(_labels));
        _promptTokens.Add(0, new TagList(_labels));
        _generationTokens.Add(0, new TagList(_labels));
        _cachedTokens.Add(0, new TagList(_labels));
    }

    /// <summary>Status and finish reason pairs a request can end with; <c>none</c> means refused before generating.</summary>
    internal static readonly (int Status, string Reason)[] KnownOutcomes =
    [
        (200, "stop"), (200, "length"), (200, "error"), (499, "abort"), (500, "error"),
        (503, "error"), (400, "none"), (401, "none"), (404, "none"), (413, "none"), (429, "none"), (503, "none"),
    ];

    public void RecordOutcome(int statusCode, string finishReason)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, Outcome(statusCode, finishReason));
        }
    }

    public void RecordStreamFailure()
    {
        if (_streamFailures.Enabled)
        {
            _streamFailures.Add(1, new TagList(_labels));
        }
    }

    public void RecordQueueTime(TimeSpan elapsed) => Record(_queueTime, elapsed.TotalSeconds);

    public void RecordTimeToFirstToken(TimeSpan elapsed) => Record(_timeToFirstToken, elapsed.TotalSeconds);

    public void RecordTimePerOutputToken(TimeSpan elapsed) => Record(_timePerOutputToken, elapsed.TotalSeconds);

    public void RecordRequestDuration(TimeSpan elapsed) => Record(_requestDuration, elapsed.TotalSeconds);

    public void RecordTokens(TokenUsage usage)
    {
        var tags = new TagList(_labels);
        _promptTokens.Add(usage.PromptTokens, tags);
        _generationTokens.Add(usage.CompletionTokens, tags);
        _cachedTokens.Add(usage.CachedTokens, tags);
    }

    private void Record(Histogram<double> histogram, double seconds)
    {
        if (histogram.Enabled)
        {
            histogram.Record(seconds, new TagList(_labels));
        }
    }

    private TagList Outcome(int statusCode, string finishReason)
    {
        var tags = new TagList(_labels)
        {
            { "status_code", statusCode },
            { "finish_reason", finishReason },
        };
        return tags;
    }

    private Measurement<T> Measure<T>(T value)
        where T : struct => new(value, _labels);

    private static InstrumentAdvice<double> Buckets(double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };
}
