using ClusterLlm.Runtime.Serving.Streaming;
using Microsoft.Extensions.Time.Testing;

namespace ClusterLlm.Runtime.Tests.Serving.Streaming;

public sealed class KeepAliveTimerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    [Test]
    public void Token_AfterSilence_FiresAsPingDue()
    {
        var time = new FakeTimeProvider();
        using var keepAlive = new KeepAliveTimer(time, Interval, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(14));
        Assert.That(keepAlive.Token.IsCancellationRequested, Is.False);

        time.Advance(TimeSpan.FromSeconds(8));
        Assert.That(keepAlive.PingDue, Is.True);
    }

    [Test]
    public void Touch_WhileTokensFlow_NoPing()
    {
        var time = new FakeTimeProvider();
        using var keepAlive = new KeepAliveTimer(time, Interval, CancellationToken.None);

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            keepAlive.Touch();
        }

        Assert.That(keepAlive.Token.IsCancellationRequested, Is.False);
    }

    [Test]
    public void Rearm_AfterPing_WaitsAnotherInterval()
    {
        var time = new FakeTimeProvider();
        using var keepAlive = new KeepAliveTimer(time, Interval, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(23));
        Assert.That(keepAlive.PingDue, Is.True);

        keepAlive.Rearm();
        time.Advance(TimeSpan.FromSeconds(8));

        Assert.That(keepAlive.Token.IsCancellationRequested, Is.False);
    }

    [Test]
    public void Token_ClientAborted_CancelsButNoPingDue()
    {
        var time = new FakeTimeProvider();
        using var aborted = new CancellationTokenSource();
        using var keepAlive = new KeepAliveTimer(time, Interval, aborted.Token);

        aborted.Cancel();

        Assert.That(keepAlive.Token.IsCancellationRequested, Is.True);
        Assert.That(keepAlive.PingDue, Is.False);
    }
}
