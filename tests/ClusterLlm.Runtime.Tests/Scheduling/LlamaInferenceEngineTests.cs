using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Tests.Scheduling;

public sealed class LlamaInferenceEngineTests
{
    [Test]
    public async Task TrySubmit_EightRequestsOfDifferentLengthsArrivingAtDifferentTimes_YieldTheTokensEachYieldsAlone()
    {
        // A small ubatch makes the longer prompts prefill in several chunks while other slots decode.
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 4; o.UbatchSize = 32; o.BatchSize = 64; });
        var requests = Enumerable.Range(0, 8)
            .Select(i => EngineHarness.Greedy(EngineHarness.Prompt(5 + i * 23, seed: 100 + i), maxTokens: 12 + i * 3))
            .ToList();

        var alone = new List<GenerationResult>();
        foreach (var request in requests)
        {
            alone.Add(await EngineHarness.RunAsync(engine, request));
        }

        var batched = new List<Task<GenerationResult>>();
        foreach (var request in requests)
        {
            var lease = EngineHarness.Submit(engine, request);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            batched.Add(Task.Run(async () =>
            {
                await using (lease)
                {
                    return await EngineHarness.ReadAllAsync(lease, started);
                }
            }));
            // Each request arrives once the one before holds a slot, so arrivals land mid-prefill and mid-decode.
            await started.Task.WaitAsync(EngineHarness.Timeout);
        }
        var together = await Task.WhenAll(batched);

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.That(together[i].Text, Is.EqualTo(alone[i].Text), $"request {i}");
            Assert.That(together[i].Usage.CompletionTokens, Is.EqualTo(alone[i].Usage.CompletionTokens), $"request {i}");
            Assert.That(together[i].Finish, Is.EqualTo(FinishReason.Length), $"request {i}");
        }
    }

    [Test]
    public async Task TrySubmit_PromptExtendingAPreviousOne_ReportsItsPrefixAsCached()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 2);
        var first = EngineHarness.Prompt(40, seed: 7);
        var extended = first.Concat(EngineHarness.Prompt(20, seed: 8).Skip(1)).ToArray();

        var cold = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(first, 4));
        var warm = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(extended, 4));
        var repeat = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(extended, 4));

        Assert.That(cold.Usage.CachedTokens, Is.Zero);
        Assert.That(warm.Usage.CachedTokens, Is.EqualTo(first.Length));
        Assert.That(repeat.Usage.CachedTokens, Is.EqualTo(extended.Length - 1), "a fully cached prompt still decodes its last token");
        Assert.That(repeat.Text, Is.EqualTo(warm.Text), "reusing the cache does not change the output");
    }

    [Test]
    public async Task DisposeLease_MidDecode_FreesTheSlotForTheNextRequest()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        var lease = EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(8, 1), maxTokens: 1000));
        var texts = 0;
        await foreach (var e in lease.Events.ReadAllAsync())
        {
            if (e.Kind == GenerationEventKind.Text && ++texts == 3)
            {
                break;
            }
        }
        await lease.DisposeAsync();

        var next = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(8, 2), maxTokens: 3));

        Assert.That(next.Finish, Is.EqualTo(FinishReason.Length));
        Assert.That(await EventuallyAsync(() => engine.Snapshot.SlotsBusy == 0), Is.True);
        Assert.That(engine.Snapshot.RequestsWaiting, Is.Zero);
    }

    [Test]
    public async Task DisposeLease_WhileQueued_RemovesTheRequest()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        await using var running = EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(8, 1), maxTokens: 1000));
        var queued = EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(8, 2), maxTokens: 1000));
        Assert.That(await EventuallyAsync(() => engine.Snapshot.RequestsWaiting == 1), Is.True);

        await queued.DisposeAsync();

        Assert.That(await EventuallyAsync(() => engine.Snapshot.RequestsWaiting == 0), Is.True);
        Assert.That(engine.Snapshot.SlotsBusy, Is.EqualTo(1));
    }

    [Test]
    public async Task TrySubmit_QueueFull_RefusesWithQueueFull()
    {
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 1; o.MaxQueue = 1; });
        var long1 = EngineHarness.Greedy(EngineHarness.Prompt(8, 1), maxTokens: 1000);
        await using var first = EngineHarness.Submit(engine, long1);
        await using var second = EngineHarness.Submit(engine, long1);

        var outcome = engine.TrySubmit(long1, out var third);

        Assert.That(outcome, Is.EqualTo(SubmitOutcome.QueueFull));
        Assert.That(third, Is.Null);
    }

    [Test]
    public async Task TrySubmit_PromptFillingTheSlotContext_IsRefusedAsTooLong()
    {
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 2; o.ContextSize = 1024; });

        var outcome = engine.TrySubmit(EngineHarness.Greedy(EngineHarness.Prompt(engine.ContextPerSlot, 3), 4), out var lease);

        Assert.That(outcome, Is.EqualTo(SubmitOutcome.PromptTooLong));
        Assert.That(lease, Is.Null);
    }

    [Test]
    public async Task TrySubmit_GenerationReachingTheSlotContext_FinishesWithLength()
    {
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 2; o.ContextSize = 512; });
        var prompt = EngineHarness.Prompt(engine.ContextPerSlot - 10, 4);

        var result = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(prompt, maxTokens: 1000));

        Assert.That(result.Finish, Is.EqualTo(FinishReason.Length));
        Assert.That(result.Usage.CompletionTokens, Is.LessThanOrEqualTo(10));
    }

    [Test]
    public async Task TrySubmit_StopStringSpanningTwoTokens_CutsTheTextBeforeIt()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        var prompt = EngineHarness.Prompt(12, 5);
        var free = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(prompt, maxTokens: 40));
        var pieces = free.Events.Where(e => e.Kind == GenerationEventKind.Text).Select(e => e.Text!).ToList();
        var k = Enumerable.Range(1, pieces.Count - 2).First(i => pieces[i].Length >= 2 && pieces[i + 1].Length >= 2);
        var stop = pieces[k][^2..] + pieces[k + 1][..2];
        var expected = free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(prompt, maxTokens: 40, stop: [stop]));

        Assert.That(stopped.Text, Is.EqualTo(expected));
        Assert.That(stopped.Finish, Is.EqualTo(FinishReason.Stop));
    }

    [Test]
    public async Task Start_BeforeReady_RefusesAndWarmsUpFirst()
    {
        var options = new EngineOptions { ModelPath = TestModels.Tiny, ContextSize = 1024, Parallel = 2, Threads = 1 };
        using var engine = new LlamaInferenceEngine(Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LlamaInferenceEngine>.Instance,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);

        var before = engine.TrySubmit(EngineHarness.Greedy([1, 2, 3], 2), out _);
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Loading));
        engine.Start();
        await engine.Loaded.WaitAsync(EngineHarness.Timeout);

        Assert.That(before, Is.EqualTo(SubmitOutcome.NotReady));
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Ready));
        Assert.That(engine.WarmUpDecodes, Is.EqualTo(1));
    }

    [Test]
    public async Task Start_MissingModel_FailsNamingThePath()
    {
        var missing = Path.Combine(TestModels.Directory, "missing.gguf");
        var options = new EngineOptions { ModelPath = missing };
        using var engine = new LlamaInferenceEngine(Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LlamaInferenceEngine>.Instance,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);

        engine.Start();
        await engine.Loaded.WaitAsync(EngineHarness.Timeout);

        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Failed));
        Assert.That(engine.FailureReason, Does.Contain(missing));
        Assert.That(engine.TrySubmit(EngineHarness.Greedy([1, 2], 2), out _), Is.EqualTo(SubmitOutcome.NotReady));
    }

    [Test]
    public async Task DrainAsync_WithRunningAndQueuedRequests_CompletesThemAllAndRefusesNewOnes()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 2);
        var leases = Enumerable.Range(0, 3)
            .Select(i => EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(10, i), maxTokens: 20)))
            .ToList();
        var reads = leases.Select(l => EngineHarness.ReadAllAsync(l)).ToList();

        var drain = engine.DrainAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var refused = engine.TrySubmit(EngineHarness.Greedy([1, 2, 3], 2), out _);
        await drain;
        var results = await Task.WhenAll(reads);

        Assert.That(refused, Is.EqualTo(SubmitOutcome.NotReady));
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Draining));
        Assert.That(results.Select(r => r.Finish), Is.All.EqualTo(FinishReason.Length));
        Assert.That(results.Select(r => r.Usage.CompletionTokens), Is.All.EqualTo(20));
    }

    [Test]
    public async Task TrySubmit_SameSeed_SamplesTheSameText()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 2);
        var sampling = new SamplingOptions { Temperature = 1.0f, Seed = 42, TopK = 0, TopP = 1, MinP = 0 };
        var request = EngineHarness.Greedy(EngineHarness.Prompt(10, 9), 24, sampling: sampling);
        var greedy = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(10, 9), 24));

        var a = await EngineHarness.RunAsync(engine, request);
        var b = await EngineHarness.RunAsync(engine, request);

        Assert.That(a.Text, Is.EqualTo(b.Text));
        Assert.That(a.Text, Is.Not.EqualTo(greedy.Text), "temperature 1 over the whole vocabulary departs from greedy");
    }

    [Test]
    public async Task TrySubmit_JsonObject_ConstrainsOutputToAJsonObject()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        var request = EngineHarness.Greedy(EngineHarness.Prompt(10, 11), 30, sampling: new SamplingOptions { Temperature = 0, JsonObject = true });

        var result = await EngineHarness.RunAsync(engine, request);

        Assert.That(result.Text.TrimStart(), Does.StartWith("{"));
        Assert.That(result.Text, Does.Not.Contain("\n\n\n"));
    }

    [Test]
    public async Task TrySubmit_LogitBias_ForcesTheBiasedToken()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        var hello = engine.Tokenize("Hello", addSpecial: false, parseSpecial: false)[^1];
        var sampling = new SamplingOptions { Temperature = 0, LogitBias = new Dictionary<int, float> { [hello] = 1000f } };

        var result = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(6, 12), 3, sampling: sampling));

        Assert.That(result.Text, Is.EqualTo(" Hello Hello Hello"), "SentencePiece renders the word-start marker as a space");
    }

    [Test]
    public async Task TokenizeDetokenize_Text_RoundTrips()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);
        const string Text = "Hello world, héllo 世界 🎉";

        var tokens = engine.Tokenize(Text, addSpecial: false, parseSpecial: false);

        Assert.That(engine.Detokenize(tokens), Is.EqualTo(" " + Text).Or.EqualTo(Text));
        Assert.That(engine.Tokenize(Text, addSpecial: true, parseSpecial: false)[0], Is.EqualTo(1), "BOS");
    }

    [Test]
    public async Task Detokenize_TokenOutsideTheVocabulary_ThrowsNamingIt()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);

        Assert.That(() => engine.Detokenize([1, 40000]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("tokens[1]"));
    }

    [Test]
    public async Task ApplyChatTemplate_ModelWithoutTemplate_FallsBackToChatMl()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 1);

        var prompt = engine.ApplyChatTemplate([new ChatTurn("system", "Be brief."), new ChatTurn("user", "Hi")]);

        Assert.That(prompt, Is.EqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    }

    [Test]
    public async Task Snapshot_WhileGenerating_ReportsBusySlotAndKvUsage()
    {
        using var engine = await EngineHarness.StartAsync(o => o.Parallel = 2);
        var idle = engine.Snapshot;
        await using var lease = EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(100, 13), maxTokens: 1000));
        await WaitForTextAsync(lease);

        var busy = engine.Snapshot;

        Assert.That(idle.SlotsTotal, Is.EqualTo(2));
        Assert.That(idle.KvCacheUsageRatio, Is.Zero);
        Assert.That(busy.SlotsBusy, Is.EqualTo(1));
        Assert.That(busy.RequestsRunning, Is.EqualTo(1));
        Assert.That(busy.KvCacheUsageRatio, Is.GreaterThan(0).And.LessThan(1));
        Assert.That(busy.LastHeartbeat, Is.GreaterThanOrEqualTo(idle.LastHeartbeat));
    }

    [Test]
    public async Task TrySubmit_KvCacheExhausted_FailsTheRequestThatDoesNotFitAndKeepsServing()
    {
        // Unified KV: both slots draw from one pool of 256 cells, so a second 200-token prompt cannot fit
        // beside the first; llama_decode answers 1 ("no memory slot") even for a single token.
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 2; o.ContextSize = 256; o.KvUnified = true; });
        // Long enough that the first request is still decoding when the second one's prefill needs the cells.
        await using var first = EngineHarness.Submit(engine, EngineHarness.Greedy(EngineHarness.Prompt(200, 21), maxTokens: 40));
        var firstEvents = new List<GenerationEvent>();
        while (await first.Events.ReadAsync() is var e)
        {
            firstEvents.Add(e);
            if (e.Kind == GenerationEventKind.Text)
            {
                break;
            }
        }

        var second = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(200, 22), maxTokens: 8));
        var rest = await EngineHarness.ReadAllAsync(first);
        var after = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(20, 23), maxTokens: 4));

        Assert.That(second.Finish, Is.EqualTo(FinishReason.Error));
        Assert.That(second.Events[^1].Kind, Is.EqualTo(GenerationEventKind.Failed));
        Assert.That(second.Error, Does.Contain("llama_decode"));
        Assert.That(rest.Finish, Is.EqualTo(FinishReason.Length), "the request already in the cache keeps generating");
        Assert.That(after.Finish, Is.EqualTo(FinishReason.Length));
        Assert.That(engine.Status, Is.EqualTo(EngineStatus.Ready));
    }

    [Test]
    public async Task TrySubmit_UnifiedPoolHeldByAnIdleCache_EvictsItInsteadOfFailing()
    {
        using var engine = await EngineHarness.StartAsync(o => { o.Parallel = 2; o.ContextSize = 256; o.KvUnified = true; });
        var first = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(200, 31), maxTokens: 8));

        var second = await EngineHarness.RunAsync(engine, EngineHarness.Greedy(EngineHarness.Prompt(200, 32), maxTokens: 8));

        Assert.That(first.Finish, Is.EqualTo(FinishReason.Length));
        Assert.That(second.Finish, Is.EqualTo(FinishReason.Length), second.Error);
        Assert.That(second.Usage.CompletionTokens, Is.EqualTo(8));
    }

    private static async Task WaitForTextAsync(GenerationLease lease)
    {
        using var timeout = new CancellationTokenSource(EngineHarness.Timeout);
        while (await lease.Events.ReadAsync(timeout.Token) is { Kind: not GenerationEventKind.Text })
        {
        }
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500; i++)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(10);
        }
        return condition();
    }
}
