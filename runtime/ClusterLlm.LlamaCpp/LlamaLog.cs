using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ClusterLlm.LlamaCpp.Native;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.LlamaCpp;

/// <summary>One complete line llama.cpp or ggml logged.</summary>
public readonly record struct LlamaLogLine(LogLevel Level, string Text);

/// <summary>
/// Routes llama.cpp's and ggml's log output (otherwise written straight to stderr) into
/// Microsoft.Extensions.Logging, and lets callers capture the lines a scope of work produces.
/// </summary>
/// <remarks>
/// <c>llama_log_set</c> is one process-wide native hook, so the routing it feeds is process-wide too. Native code
/// logs a line in fragments (<c>GGML_LOG_LEVEL_CONT</c>), from whichever thread does the work; fragments are
/// joined per thread and published a whole line at a time.
/// </remarks>
public static partial class LlamaLog
{
    private static readonly ConcurrentDictionary<LlamaLogCapture, byte> Captures = new();
    private static volatile ILogger? _logger;
    private static int _installed;

    [ThreadStatic]
    private static StringBuilder? _pending;

    [ThreadStatic]
    private static LogLevel _pendingLevel;

    /// <summary>
    /// Sends llama.cpp's lines to <paramref name="logger"/> (category <c>ClusterLlm.LlamaCpp</c> is a good choice);
    /// <see langword="null"/> silences them. Lines at Debug level stay Debug, so a normal Information minimum
    /// keeps the per-tensor chatter out.
    /// </summary>
    public static void Route(ILogger? logger)
    {
        _logger = logger;
        Install();
    }

    /// <summary>
    /// Collects the lines logged from now until the returned capture is disposed: all of them, or with
    /// <paramref name="currentThreadOnly"/> only those logged by the calling thread (model loading and context
    /// creation log on the thread that asked for them, so concurrent work elsewhere stays out).
    /// </summary>
    public static LlamaLogCapture Capture(bool currentThreadOnly = false)
    {
        Install();
        LlamaBackend.Initialize();
        var capture = new LlamaLogCapture(c => Captures.TryRemove(c, out _), currentThreadOnly ? Environment.CurrentManagedThreadId : null);
        Captures[capture] = 0;
        return capture;
    }

    internal static unsafe void Install()
    {
        // Before anything else touches llama.cpp, so even backend loading is routed rather than printed.
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            LlamaNative.llama_log_set(&OnLog, null);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnLog(int level, byte* text, void* userData)
    {
        try
        {
            var fragment = Marshal.PtrToStringUTF8((IntPtr)text) ?? string.Empty;
            var pending = _pending ??= new StringBuilder();
            if ((GgmlLogLevel)level != GgmlLogLevel.Cont)
            {
                _pendingLevel = ToLogLevel((GgmlLogLevel)level);
            }
            pending.Append(fragment);
            if (!fragment.EndsWith('\n'))
            {
                return;
            }
            var line = pending.ToString().TrimEnd('\n');
            pending.Clear();
            Publish(new LlamaLogLine(_pendingLevel, line));
        }
        catch (Exception exception)
        {
            // An exception must never unwind into native code; the line is lost, the process is not.
            if (_logger is { } logger)
            {
                Log.RoutingFailed(logger, exception);
            }
        }
    }

    private static void Publish(LlamaLogLine line)
    {
        var thread = Environment.CurrentManagedThreadId;
        foreach (var capture in Captures.Keys)
        {
            capture.Add(line, thread);
        }
        var logger = _logger;
        if (logger is not null && logger.IsEnabled(line.Level))
        {
            Log.Native(logger, line.Level, line.Text);
        }
    }

    private static LogLevel ToLogLevel(GgmlLogLevel level) => level switch
    {
        GgmlLogLevel.Error => LogLevel.Error,
        GgmlLogLevel.Warn => LogLevel.Warning,
        GgmlLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Message = "llama.cpp: {Line}", EventName = "LlamaCppLog")]
        public static partial void Native(ILogger logger, LogLevel level, string line);

        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "A llama.cpp log line could not be routed", EventName = "LlamaCppLogFailed")]
        public static partial void RoutingFailed(ILogger logger, Exception exception);
    }
}

/// <summary>The lines llama.cpp logged while this capture was open.</summary>
public sealed class LlamaLogCapture : IDisposable
{
    private readonly Action<LlamaLogCapture> _close;
    private readonly int? _thread;
    private readonly ConcurrentQueue<LlamaLogLine> _lines = new();

    internal LlamaLogCapture(Action<LlamaLogCapture> close, int? thread)
    {
        _close = close;
        _thread = thread;
    }

    /// <summary>The lines so far, in the order they completed.</summary>
    public IReadOnlyList<LlamaLogLine> Lines => [.. _lines];

    internal void Add(LlamaLogLine line, int thread)
    {
        if (_thread is null || _thread == thread)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>The warning and error lines, joined, for an exception message; a fixed text when there are none.</summary>
    internal string Errors()
    {
        var errors = _lines.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Text.Trim()).ToList();
        return errors.Count == 0 ? "llama.cpp logged no error" : string.Join("; ", errors);
    }

    public void Dispose() => _close(this);
}
