using Microsoft.Extensions.Logging;

namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaLogTests
{
    [Test]
    public void Capture_LoadingAModel_CollectsWholeLines()
    {
        using var capture = LlamaLog.Capture(currentThreadOnly: true);
        using (LlamaModel.Load(TestModels.Tiny))
        {
        }

        Assert.That(capture.Lines.Select(l => l.Text), Has.Some.Contains("model buffer size"));
        Assert.That(capture.Lines.Select(l => l.Text), Has.None.EndsWith("\n"));
    }

    [Test]
    public void Route_ToALogger_ForwardsAtTheMappedLevel()
    {
        var logger = new ListLogger();
        LlamaLog.Route(logger);
        try
        {
            using (LlamaModel.Load(TestModels.Tiny))
            {
            }
        }
        finally
        {
            LlamaLog.Route(null);
        }

        Assert.That(logger.Entries, Has.Some.Matches<(LogLevel Level, string Message)>(e => e.Level == LogLevel.Information && e.Message.Contains("model buffer size", StringComparison.Ordinal)));
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
