using ClusterLlm.Runtime.Pull;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ClusterLlm.Runtime.Tests.Pull;

public sealed class PullProgressTests
{
    [Test]
    public void Advance_OverTime_LogsBytesRateAndEtaAtTheInterval()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        var bar = new StringWriter();
        var progress = new PullProgress(logger, time, TimeSpan.FromSeconds(10), bar, "m.gguf", startBytes: 0) { BytesTotal = 1000 };

        time.Advance(TimeSpan.FromSeconds(5));
        progress.Advance(100);
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Advance(100);
        time.Advance(TimeSpan.FromSeconds(1));
        progress.Advance(100);

        Assert.That(logger.Lines, Has.Count.EqualTo(1), "one line per interval, not per chunk");
        Assert.That(logger.Lines[0], Is.EqualTo("Downloading m.gguf: 200 of 1000 bytes at 20 B/s, ETA 40 s"));
        Assert.That(bar.ToString(), Does.Contain("m.gguf [###").And.Contain("30.0% 300B/1000B").And.Contain("ETA 00:00:"));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
