using System.Text;
using ClusterLlm.Runtime.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Tests.Scheduling;

/// <summary>What one request produced.</summary>
internal sealed record GenerationResult(string Text, FinishReason Finish, TokenUsage Usage, IReadOnlyList<GenerationEvent> Events, string? Error);

/// <summary>Starts a real engine on a test model and reads requests to the end.</summary>
internal static class EngineHarness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<LlamaInferenceEngine> StartAsync(Action<EngineOptions>? configure = null)
    {
        // One thread: ggml's worker threads spin-wait, which on a shared two-core machine costs far more than it gains.
        var options = new EngineOptions { ModelPath = TestModels.Tiny, ContextSize = 2048, Parallel = 4, MaxQueue = 16, Threads = 1 };
        configure?.Invoke(options);
        var engine = new LlamaInferenceEngine(Options.Create(options), NullLogger<LlamaInferenceEngine>.Instance, NullLoggerFactory.Instance, TimeProvider.System);
        engine.Start();
        await engine.Loaded.WaitAsync(Timeout);
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Ready), engine.FailureReason);
        return engine;
    }

    public static GenerationRequest Greedy(IReadOnlyList<int> prompt, int maxTokens, bool ignoreEos = true, IReadOnlyList<string>? stop = null, SamplingOptions? sampling = null) =>
        new(prompt, maxTokens, sampling ?? new SamplingOptions { Temperature = 0 }, stop ?? [], ignoreEos);

    public static GenerationLease Submit(IInferenceEngine engine, GenerationRequest request)
    {
        var outcome = engine.TrySubmit(request, out var lease);
        Assert.That(outcome, Is.EqualTo(SubmitOutcome.Accepted));
        return lease!;
    }

    public static async Task<GenerationResult> ReadAllAsync(GenerationLease lease, TaskCompletionSource? started = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var events = new List<GenerationEvent>();
        var text = new StringBuilder();
        await foreach (var e in lease.Events.ReadAllAsync(timeout.Token))
        {
            events.Add(e);
            started?.TrySetResult();
            if (e.Kind == GenerationEventKind.Text)
            {
                text.Append(e.Text);
            }
        }
        started?.TrySetResult();
        var last = events[^1];
        return new GenerationResult(text.ToString(), last.FinishReason, last.Usage, events, last.Error);
    }

    public static async Task<GenerationResult> RunAsync(IInferenceEngine engine, GenerationRequest request)
    {
        await using var lease = Submit(engine, request);
        return await ReadAllAsync(lease);
    }

    /// <summary>Deterministic prompt of <paramref name="length"/> tokens (BOS first), different per <paramref name="seed"/>.</summary>
    public static int[] Prompt(int length, int seed)
    {
        var random = new Random(seed);
        var prompt = new int[length];
        prompt[0] = 1;
        for (var i = 1; i < length; i++)
        {
            prompt[i] = random.Next(300, 30000);
        }
        return prompt;
    }
}
