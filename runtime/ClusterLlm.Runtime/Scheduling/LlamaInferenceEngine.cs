using System.Collections.Concurrent;
using System.Threading.Channels;
using ClusterLlm.LlamaCpp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Scheduling;

/// <summary>
/// The llama.cpp engine: one context with a sequence per slot, owned by one decode-loop thread that drains
/// commands, admits queued requests, builds one batch (every generating slot's next token first, then at most
/// one ubatch of prompt tokens in arrival order), decodes it, samples and publishes. It blocks only when idle.
/// </summary>
internal sealed partial class LlamaInferenceEngine : IInferenceEngine, IDisposable
{
    private const int StatusLoading = (int)EngineStatus.Loading;
    private const int StatusReady = (int)EngineStatus.Ready;
    private const int StatusDraining = (int)EngineStatus.Draining;
    private const int StatusFailed = (int)EngineStatus.Failed;

    // An idle loop still wakes this often, so the heartbeat proves the thread is alive rather than wedged.
    private static readonly TimeSpan IdleWake = TimeSpan.FromMilliseconds(500);

    private readonly EngineOptions _options;
    private readonly ILogger<LlamaInferenceEngine> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<EngineCommand> _commands = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _startLock = new();
    private readonly byte[] _piece = new byte[256];

    // Owned by the decode thread.
    private readonly List<EngineRequest> _queued = [];

    // Slots in prefill, in the order their requests arrived (admission is FIFO, so appending keeps that order).
    private readonly List<Slot> _prefilling = [];
    private Slot[] _slots = [];
    private LlamaContext? _context;
    private LlamaBatch? _batch;
    private int[] _endOfGeneration = [];
    private long _releases;
    private int _busy;

    // Read from any thread.
    private volatile LlamaModel? _model;
    private Thread? _thread;
    private int _status = StatusLoading;
    private int _outstanding;
    private long _nextId;
    private long _heartbeatTicks;
    private long _kvUsageBits;
    private volatile bool _stopRequested;
    private int _contextPerSlot;
    private int _warnedTemplate;
    private int _disposed;

    public LlamaInferenceEngine(IOptions<EngineOptions> options, ILogger<LlamaInferenceEngine> logger, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _logger = logger;
        _time = time;
        _heartbeatTicks = time.GetUtcNow().UtcTicks;
        LlamaLog.Route(loggerFactory.CreateLogger("ClusterLlm.LlamaCpp"));
    }

    public EngineStatus Status => (EngineStatus)Volatile.Read(ref _status);

    public int ContextPerSlot => Volatile.Read(ref _contextPerSlot);

    /// <inheritdoc />
    public int VocabularySize => LoadedModel().Vocab.Count;

    /// <summary>The id clients use for the model.</summary>
    public string Alias => _options.EffectiveAlias;

    /// <summary>Why loading failed, when <see cref="Status"/> is <see cref="EngineStatus.Failed"/>.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Completes when the model is loaded and warmed up (or loading failed).</summary>
    public Task Loaded => _loaded.Task;

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Warm-up decodes run before <see cref="EngineStatus.Ready"/>; exposed so tests can see the warm-up happened.</summary>
    internal int WarmUpDecodes { get; private set; }

    public EngineSnapshot Snapshot
    {
        get
        {
            var busy = Volatile.Read(ref _busy);
            var outstanding = Volatile.Read(ref _outstanding);
            return new EngineSnapshot(
                _options.Parallel,
                busy,
                Math.Max(0, outstanding - busy),
                busy,
                BitConverter.Int64BitsToDouble(Interlocked.Read(ref _kvUsageBits)),
                new DateTimeOffset(Interlocked.Read(ref _heartbeatTicks), TimeSpan.Zero));
        }
    }

    /// <summary>Starts the decode loop, which loads the model, warms up and then reports <see cref="EngineStatus.Ready"/>. Idempotent.</summary>
    public void Start()
    {
        lock (_startLock)
        {
            if (_thread is not null)
            {
                return;
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "llama-decode-loop" };
            _thread.Start();
        }
    }

    public SubmitOutcome TrySubmit(GenerationRequest request, out GenerationLease? lease)
    {
        ArgumentNullException.ThrowIfNull(request);
        lease = null;
        if (Status != EngineStatus.Ready || _model is not { } model)
        {
            return SubmitOutcome.NotReady;
        }
        Validate(request, model.Vocab.Count);
        if (request.PromptTokens.Count >= ContextPerSlot)
        {
            return SubmitOutcome.PromptTooLong;
        }

        var capacity = _options.Parallel + _options.MaxQueue;
        while (true)
        {
            var outstanding = Volatile.Read(ref _outstanding);
            if (outstanding >= capacity)
            {
                return SubmitOutcome.QueueFull;
            }
            if (Interlocked.CompareExchange(ref _outstanding, outstanding + 1, outstanding) == outstanding)
            {
                break;
            }
        }

        var id = Interlocked.Increment(ref _nextId);
        var channel = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var accepted = new EngineRequest(id, id, request, channel.Writer);
        lease = new GenerationLease(id, channel.Reader, Cancel);
        Post(new EngineCommand(EngineCommandKind.Submit, id, accepted));
        return SubmitOutcome.Accepted;
    }

    public IReadOnlyList<int> Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        return LoadedModel().Vocab.Tokenize(text, addSpecial, parseSpecial);
    }

    public string Detokenize(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var vocab = LoadedModel().Vocab;
        var array = tokens.ToArray();
        for (var i = 0; i < array.Length; i++)
        {
            if ((uint)array[i] >= (uint)vocab.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), array[i], $"tokens[{i}] is {array[i]}, outside the vocabulary [0, {vocab.Count}).");
            }
        }
        return vocab.Detokenize(array);
    }

    public string ApplyChatTemplate(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = LoadedModel();
        var turns = messages.Select(m => new LlamaChatTurn(m.Role, m.Content)).ToList();
        var template = model.ChatTemplate;
        if (template is not null && LlamaChatTemplate.Apply(template, turns, addAssistant: true) is { } rendered)
        {
            return rendered;
        }
        if (template is not null && Interlocked.Exchange(ref _warnedTemplate, 1) == 0)
        {
            Log.TemplateNotRecognised(_logger);
        }
        return LlamaChatTemplate.Apply(LlamaChatTemplate.ChatMl, turns, addAssistant: true)
            ?? throw new InvalidOperationException("llama.cpp does not recognise the chatml template.");
    }

    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        while (true)
        {
            var status = Volatile.Read(ref _status);
            if (status is StatusDraining or StatusFailed
                || Interlocked.CompareExchange(ref _status, StatusDraining, status) == status)
            {
                break;
            }
        }
        var outstanding = Volatile.Read(ref _outstanding);
        Log.Draining(_logger, outstanding, timeout);
        _wake.Set();
        if (_thread is null)
        {
            _drained.TrySetResult();
        }
        try
        {
            await _drained.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var unfinished = Volatile.Read(ref _outstanding);
            Log.DrainTimedOut(_logger, unfinished);
        }
        await StopLoopAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            StopLoopAsync().GetAwaiter().GetResult();
            _wake.Dispose();
        }
    }

    private async Task StopLoopAsync()
    {
        _stopRequested = true;
        _wake.Set();
        if (_thread is not null)
        {
            await _stopped.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(long id) => Post(new EngineCommand(EngineCommandKind.Cancel, id, null));

    private void Post(EngineCommand command)
    {
        _commands.Enqueue(command);
        _wake.Set();
    }

    private LlamaModel LoadedModel() =>
        _model ?? throw new InvalidOperationException("The model is not loaded yet.");

    private static void Validate(GenerationRequest request, int vocabSize)
    {
        if (request.PromptTokens.Count == 0)
        {
            throw new ArgumentException("PromptTokens must hold at least one token.", nameof(request));
        }
        for (var i = 0; i < request.PromptTokens.Count; i++)
        {
            if ((uint)request.PromptTokens[i] >= (uint)vocabSize)
            {
                throw new ArgumentException($"PromptTokens[{i}] is {request.PromptTokens[i]}, outside the vocabulary [0, {vocabSize}).", nameof(request));
            }
        }
        if (request.MaxTokens < 1)
        {
            throw new ArgumentException($"MaxTokens must be at least 1; it is {request.MaxTokens}.", nameof(request));
        }
        foreach (var token in request.Sampling.LogitBias.Keys)
        {
            if ((uint)token >= (uint)vocabSize)
            {
                throw new ArgumentException($"Sampling.LogitBias names token {token}, outside the vocabulary [0, {vocabSize}).", nameof(request));
            }
        }
        if (request.Stop.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop must not contain empty strings.", nameof(request));
        }
    }

    private void Run()
    {
        try
        {
            if (!Load())
            {
                return;
            }
            Loop();
        }
        catch (Exception exception)
        {
            Volatile.Write(ref _status, StatusFailed);
            FailureReason = exception.Message;
            Log.LoopCrashed(_logger, exception);
        }
        finally
        {
            Shutdown();
        }
    }

    private bool Load()
    {
        var started = _time.GetTimestamp();
        try
        {
            var model = LlamaModel.Load(_options.ModelPath, new LlamaModelSettings { GpuLayers = _options.GpuLayers });
            _model = model;
            _context = LlamaContext.Create(model, new LlamaContextSettings
            {
                ContextSize = (uint)_options.ContextSize,
                Sequences = (uint)_options.Parallel,
                BatchSize = (uint)_options.BatchSize,
                UbatchSize = (uint)_options.UbatchSize,
                Threads = _options.Threads,
                FlashAttention = _options.FlashAttention,
                CacheTypeK = _options.CacheTypeK,
                CacheTypeV = _options.CacheTypeV,
                KvUnified = _options.KvUnified,
            });
            _slots = [.. Enumerable.Range(0, _options.Parallel).Select(i => new Slot(i))];
            _batch = new LlamaBatch(Math.Max(_context.BatchSize, _options.Parallel));
            _endOfGeneration = [.. Enumerable.Range(0, model.Vocab.Count).Where(model.Vocab.IsEndOfGeneration)];
            WarmUp(model);
            Volatile.Write(ref _contextPerSlot, Math.Min(_context.ContextPerSequence, model.TrainedContextLength));
            var elapsed = _time.GetElapsedTime(started);
            Log.Loaded(_logger, model.Path, model.Description, _options.Parallel, ContextPerSlot, elapsed);
        }
        catch (Exception exception) when (exception is LlamaException or IOException or ArgumentException or DllNotFoundException)
        {
            FailureReason = exception.Message;
            Volatile.Write(ref _status, StatusFailed);
            Log.LoadFailed(_logger, _options.ModelPath, exception);
            _loaded.TrySetResult();
            return false;
        }
        Interlocked.CompareExchange(ref _status, StatusReady, StatusLoading);
        _loaded.TrySetResult();
        return true;
    }

    /// <summary>One decode before reporting ready, as llama-server does: it allocates and touches the compute buffers.</summary>
    private void WarmUp(LlamaModel model)
    {
        var context = _context!;
        var batch = _batch!;
        var bos = model.Vocab.Bos;
        batch.Clear();
        batch.Add(bos >= 0 ? bos : 0, 0, 0, true);
        var result = context.Decode(batch);
        if (result != 0)
        {
            throw new LlamaException($"The warm-up decode failed with code {result}.");
        }
        WarmUpDecodes++;
        context.ClearMemory();
        batch.Clear();
    }

    private void Loop()
    {
        while (!_stopRequested)
        {
            Interlocked.Exchange(ref _heartbeatTicks, _time.GetUtcNow().UtcTicks);
            _wake.Reset();
            DrainCommands();
            Admit();
            if (!BuildBatch())
            {
                PublishKvUsage();
                // Outstanding, not just queued: a submission that passed the readiness check just before the drain
                // began may still be on its way into the command queue, and it was accepted.
                if (Volatile.Read(ref _status) == StatusDraining && Volatile.Read(ref _outstanding) == 0)
                {
                    _drained.TrySetResult();
                }
                if (_commands.IsEmpty)
                {
                    _wake.Wait(IdleWake);
                }
                continue;
            }
            // The KV gauge is published after each successful decode and whenever the loop goes idle, so a
            // failed request's freed cells show up within one iteration without a third pass here.
            DecodeAndSample();
        }
    }

    private void DrainCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            if (command.Kind == EngineCommandKind.Submit)
            {
                _queued.Add(command.Request!);
                continue;
            }
            var queued = _queued.FindIndex(r => r.Id == command.Id);
            if (queued >= 0)
            {
                var request = _queued[queued];
                _queued.RemoveAt(queued);
                Complete(request, new GenerationEvent(GenerationEventKind.Finished, FinishReason: FinishReason.Abort, Usage: new TokenUsage(request.Request.PromptTokens.Count, 0, 0)));
                continue;
            }
            foreach (var slot in _slots)
            {
                if (slot.Request?.Id == command.Id)
                {
                    Finish(slot, FinishReason.Abort);
                }
            }
        }
    }

    private void Admit()
    {
        while (_queued.Count > 0 && _busy < _slots.Length)
        {
            var request = _queued[0];
            _queued.RemoveAt(0);
            var idle = _slots.Where(s => !s.Busy).Select(s => new SlotCandidate(s.Id, s.Cached, s.LastUsed)).ToList();
            var busy = _options.KvUnified ? null : _slots.Where(s => s.Busy).Select(s => s.Id).ToList();
            var slot = _slots[SlotSelector.Select(idle, request.Request.PromptTokens, busy).Id];
            Start(slot, request);
        }
    }

    private void Start(Slot slot, EngineRequest request)
    {
        var model = _model!;
        var prompt = request.Request.PromptTokens;
        SlotSampler sampler;
        try
        {
            sampler = SamplerChainBuilder.Build(request.Request.Sampling, model.Vocab, request.Request.IgnoreEos, _endOfGeneration);
        }
        catch (Exception exception) when (exception is ArgumentException or LlamaException)
        {
            Complete(request, new GenerationEvent(GenerationEventKind.Failed, FinishReason: FinishReason.Error, Error: exception.Message));
            return;
        }

        // Keep the longest common prefix of what the slot's cache holds; at least one prompt token must be
        // decoded again, because only a decode produces the logits to sample the first new token from.
        var keep = Math.Min(SlotSelector.CommonPrefix(slot.Cached, prompt), prompt.Count - 1);
        if (!_context!.RemoveSequence(slot.Id, keep, -1))
        {
            _context.RemoveSequence(slot.Id, -1, -1);
            keep = 0;
        }
        slot.Cached.RemoveRange(keep, slot.Cached.Count - keep);

        foreach (var token in prompt)
        {
            sampler.Chain.Accept(token);
        }
        slot.Request = request;
        slot.Sampler = sampler;
        slot.Text = new StreamingText(request.Request.Stop);
        slot.State = SlotState.Prefill;
        slot.PrefillNext = keep;
        slot.CachedPromptTokens = keep;
        slot.Generated = 0;
        _prefilling.Add(slot);
        Volatile.Write(ref _busy, _busy + 1);
        request.Events.TryWrite(new GenerationEvent(GenerationEventKind.Started, Usage: new TokenUsage(prompt.Count, keep, 0)));
    }

    private bool BuildBatch()
    {
        var batch = _batch!;
        batch.Clear();
        foreach (var slot in _slots)
        {
            slot.OutputIndex = -1;
            slot.BatchEnd = -1;
            if (slot.State == SlotState.Generating)
            {
                slot.OutputIndex = batch.Add(slot.LastSampled, slot.Cached.Count, slot.Id, logits: true);
                slot.BatchEnd = batch.Count;
                slot.Cached.Add(slot.LastSampled);
            }
        }

        // Decodes first, then at most one ubatch of prompt tokens, oldest request first: a long prompt delays
        // running streams by one ubatch per step, never by its whole prefill.
        var budget = Math.Min(_context!.UbatchSize, batch.Capacity - batch.Count);
        foreach (var slot in _prefilling)
        {
            if (budget <= 0)
            {
                break;
            }
            var prompt = slot.Request!.Request.PromptTokens;
            var take = Math.Min(prompt.Count - slot.PrefillNext, budget);
            for (var k = 0; k < take; k++)
            {
                var index = slot.PrefillNext + k;
                var last = index == prompt.Count - 1;
                var at = batch.Add(prompt[index], slot.Cached.Count, slot.Id, last);
                slot.Cached.Add(prompt[index]);
                if (last)
                {
                    slot.OutputIndex = at;
                }
            }
            slot.PrefillNext += take;
            slot.BatchEnd = batch.Count;
            budget -= take;
        }
        return batch.Count > 0;
    }

    private void DecodeAndSample()
    {
        var context = _context!;
        var batch = _batch!;
        var view = context.BatchSize;
        var offset = 0;
        while (offset < batch.Count)
        {
            var count = Math.Min(view, batch.Count - offset);
            var result = context.Decode(batch, offset, count);
            if (result == 0)
            {
                // Before sampling publishes tokens, so no client sees output that the KV gauge does not yet count.
                PublishKvUsage();
                Sample(offset, count);
                offset += count;
                view = context.BatchSize;
                continue;
            }
            if (result == 1 && _options.KvUnified && TryEvictIdleCache())
            {
                // A unified pool also holds idle slots' caches; dropping one makes room without failing anyone.
                continue;
            }
            if (result is 1 or 2 && count > 1)
            {
                // No room for the whole view (1) or aborted (2): retry the same tokens in halves, as llama-server does.
                view = count / 2;
                Log.DecodeRetry(_logger, result, view);
                continue;
            }
            var failedTokens = batch.Count - offset;
            Log.DecodeFailed(_logger, result, failedTokens);
            foreach (var slot in _slots)
            {
                if (slot.Busy && slot.BatchEnd > offset)
                {
                    Fail(slot, $"llama_decode failed with code {result}.");
                }
            }
            return;
        }
    }

    /// <summary>Drops the least recently used idle slot's cache, as llama-server's <c>try_clear_idle_slots</c>; false when none holds any.</summary>
    private bool TryEvictIdleCache()
    {
        Slot? victim = null;
        foreach (var slot in _slots)
        {
            if (!slot.Busy && slot.Cached.Count > 0 && (victim is null || slot.LastUsed < victim.LastUsed))
            {
                victim = slot;
            }
        }
        if (victim is null)
        {
            return false;
        }
        _context!.RemoveSequence(victim.Id, -1, -1);
        victim.Cached.Clear();
        Log.IdleCacheEvicted(_logger, victim.Id);
        return true;
    }

    private void Sample(int offset, int count)
    {
        foreach (var slot in _slots)
        {
            if (slot.OutputIndex < offset || slot.OutputIndex >= offset + count || !slot.Busy)
            {
                continue;
            }
            var token = slot.Sampler!.Sample(_context!, slot.OutputIndex - offset);
            Accept(slot, token);
        }
    }

    private void Accept(Slot slot, int token)
    {
        var request = slot.Request!.Request;
        if (slot.State == SlotState.Prefill)
        {
            _prefilling.Remove(slot);
            slot.State = SlotState.Generating;
        }
        if (!request.IgnoreEos && _model!.Vocab.IsEndOfGeneration(token))
        {
            Finish(slot, FinishReason.Stop);
            return;
        }
        slot.Generated++;
        var vocab = _model!.Vocab;
        var length = vocab.TokenToPiece(token, _piece, special: false);
        var piece = length >= 0 ? _piece.AsSpan(0, length) : PieceSlow(vocab, token);
        var text = slot.Text!.Append(piece);
        if (text.Length > 0)
        {
            slot.Request.Events.TryWrite(new GenerationEvent(GenerationEventKind.Text, text));
        }
        if (slot.Text.Stopped)
        {
            Finish(slot, FinishReason.Stop);
        }
        else if (slot.Generated >= request.MaxTokens || slot.Cached.Count + 1 >= ContextPerSlot)
        {
            Finish(slot, FinishReason.Length);
        }
        else
        {
            slot.LastSampled = token;
        }
    }

    private static byte[] PieceSlow(LlamaVocab vocab, int token)
    {
        var buffer = new byte[-vocab.TokenToPiece(token, [], special: false)];
        vocab.TokenToPiece(token, buffer, special: false);
        return buffer;
    }

    private void Finish(Slot slot, FinishReason reason)
    {
        var request = slot.Request!;
        var rest = slot.Text!.Flush();
        if (rest.Length > 0 && reason != FinishReason.Abort)
        {
            request.Events.TryWrite(new GenerationEvent(GenerationEventKind.Text, rest));
        }
        var usage = new TokenUsage(request.Request.PromptTokens.Count, slot.CachedPromptTokens, slot.Generated);
        Release(slot);
        Complete(request, new GenerationEvent(GenerationEventKind.Finished, FinishReason: reason, Usage: usage));
    }

    private void Fail(Slot slot, string error)
    {
        var request = slot.Request!;
        var usage = new TokenUsage(request.Request.PromptTokens.Count, slot.CachedPromptTokens, slot.Generated);
        // The failed decode may have left part of the batch in the cache; forget the whole sequence.
        _context!.RemoveSequence(slot.Id, -1, -1);
        slot.Cached.Clear();
        Release(slot);
        Complete(request, new GenerationEvent(GenerationEventKind.Failed, FinishReason: FinishReason.Error, Usage: usage, Error: error));
    }

    private void Release(Slot slot)
    {
        // The cache keeps what was decoded (Cached), for the next request with the same prefix.
        _prefilling.Remove(slot);
        slot.Sampler?.Dispose();
        slot.Sampler = null;
        slot.Text = null;
        slot.Request = null;
        slot.State = SlotState.Idle;
        slot.OutputIndex = -1;
        slot.LastUsed = ++_releases;
        Volatile.Write(ref _busy, _busy - 1);
    }

    private void Complete(EngineRequest request, GenerationEvent last)
    {
        request.Events.TryWrite(last);
        request.Events.TryComplete();
        Interlocked.Decrement(ref _outstanding);
    }

    private void PublishKvUsage()
    {
        // llama.h exposes no used-cell count. Positions are never shifted here, so each sequence holds exactly
        // the cells for positions min..max of the memory module, and their spans add up to the cells in use.
        var context = _context!;
        long used = 0;
        foreach (var slot in _slots)
        {
            var max = context.SequencePositionMax(slot.Id);
            if (max >= 0)
            {
                used += max - context.SequencePositionMin(slot.Id) + 1;
            }
        }
        var total = _options.KvUnified ? context.ContextSize : (long)context.ContextPerSequence * _slots.Length;
        Interlocked.Exchange(ref _kvUsageBits, BitConverter.DoubleToInt64Bits(total == 0 ? 0 : (double)used / total));
    }

    private void Shutdown()
    {
        // A stopped loop ends every request it still holds: aborted on a normal stop, failed after a crash.
        var crashed = Volatile.Read(ref _status) == StatusFailed;
        GenerationEvent Ending(EngineRequest request, TokenUsage usage) => crashed
            ? new GenerationEvent(GenerationEventKind.Failed, FinishReason: FinishReason.Error, Usage: usage, Error: $"The inference engine stopped: {FailureReason}")
            : new GenerationEvent(GenerationEventKind.Finished, FinishReason: FinishReason.Abort, Usage: usage);

        foreach (var request in _queued)
        {
            Complete(request, Ending(request, new TokenUsage(request.Request.PromptTokens.Count, 0, 0)));
        }
        _queued.Clear();
        foreach (var slot in _slots.Where(s => s.Busy))
        {
            var request = slot.Request!;
            var usage = new TokenUsage(request.Request.PromptTokens.Count, slot.CachedPromptTokens, slot.Generated);
            Release(slot);
            Complete(request, Ending(request, usage));
        }
        while (_commands.TryDequeue(out var command))
        {
            if (command.Request is { } request)
            {
                Complete(request, Ending(request, new TokenUsage(request.Request.PromptTokens.Count, 0, 0)));
            }
        }
        _batch?.Dispose();
        _context?.Dispose();
        _drained.TrySetResult();
        _loaded.TrySetResult();
        _stopped.TrySetResult();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded {Path} ({Description}): {Slots} slots of {ContextPerSlot} tokens, ready in {Elapsed}", EventName = "ModelLoaded")]
        public static partial void Loaded(ILogger logger, string path, string description, int slots, int contextPerSlot, TimeSpan elapsed);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Could not load {Path}", EventName = "ModelLoadFailed")]
        public static partial void LoadFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "llama_decode returned {Code}; retrying with views of {Tokens} tokens", EventName = "DecodeRetry")]
        public static partial void DecodeRetry(ILogger logger, int code, int tokens);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "llama_decode failed with code {Code}; failing the requests in the last {Tokens} batch tokens", EventName = "DecodeFailed")]
        public static partial void DecodeFailed(ILogger logger, int code, int tokens);

        [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "The decode loop stopped", EventName = "DecodeLoopCrashed")]
        public static partial void LoopCrashed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Draining {Outstanding} requests for up to {Timeout}", EventName = "Draining")]
        public static partial void Draining(ILogger logger, int outstanding, TimeSpan timeout);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Drain timed out with {Outstanding} requests unfinished; aborting them", EventName = "DrainTimedOut")]
        public static partial void DrainTimedOut(ILogger logger, int outstanding);

        [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Evicted idle slot {Slot}'s cache to make room in the unified KV pool", EventName = "IdleCacheEvicted")]
        public static partial void IdleCacheEvicted(ILogger logger, int slot);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "llama.cpp does not recognise the model's chat template; using chatml", EventName = "ChatTemplateFallback")]
        public static partial void TemplateNotRecognised(ILogger logger);
    }
}

internal enum EngineCommandKind
{
    Submit,
    Cancel,
}

/// <summary>What other threads ask of the decode loop. Cancellation is a command too, so only the loop touches slots.</summary>
internal readonly record struct EngineCommand(EngineCommandKind Kind, long Id, EngineRequest? Request);
