using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Reports one file's download: a structured log line with bytes, rate and ETA at most every
/// <see cref="PullOptions.ProgressInterval"/>, and a live bar redrawn in place when stderr is a terminal.
/// </summary>
internal sealed partial class PullProgress
{
    private static readonly TimeSpan BarInterval = TimeSpan.FromMilliseconds(250);

    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly TimeSpan logInterval;
    private readonly TextWriter? bar;
    private readonly string file;
    private readonly long startTimestamp;
    private long startBytes;
    private long lastLog;
    private long lastBar;

    public PullProgress(ILogger logger, TimeProvider time, TimeSpan logInterval, TextWriter? bar, string file, long startBytes)
    {
        this.logger = logger;
        this.time = time;
        this.logInterval = logInterval;
        this.bar = bar;
        this.file = file;
        this.startBytes = startBytes;
        BytesDone = startBytes;
        startTimestamp = lastLog = lastBar = time.GetTimestamp();
    }

    public long BytesDone { get; private set; }

    public long? BytesTotal { get; set; }

    /// <summary>The file restarted from <paramref name="bytes"/> (a server ignored Range).</summary>
    public void Reset(long bytes)
    {
        BytesDone = startBytes = bytes;
    }

    public void Advance(int bytes)
    {
        BytesDone += bytes;
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(lastLog, now) >= logInterval)
        {
            lastLog = now;
            var (rate, eta) = RateAndEta(now);
            Log.Progress(logger, file, BytesDone, BytesTotal ?? -1, (long)rate, eta?.TotalSeconds ?? -1);
        }

        if (bar is not null && time.GetElapsedTime(lastBar, now) >= BarInterval)
        {
            lastBar = now;
            DrawBar(now);
        }
    }

    public void Complete()
    {
        if (bar is not null)
        {
            DrawBar(time.GetTimestamp());
            bar.WriteLine();
        }
    }

    private (double BytesPerSecond, TimeSpan? Eta) RateAndEta(long now)
    {
        var seconds = time.GetElapsedTime(startTimestamp, now).TotalSeconds;
        var rate = seconds > 0 ? (BytesDone - startBytes) / seconds : 0;
        TimeSpan? eta = BytesTotal is { } total && rate > 0 ? TimeSpan.FromSeconds((total - BytesDone) / rate) : null;
        return (rate, eta);
    }

    private void DrawBar(long now)
    {
        const int width = 30;
        var (rate, eta) = RateAndEta(now);
        var fraction = BytesTotal is > 0 and var total ? Math.Clamp(BytesDone / (double)total, 0, 1) : 0;
        var filled = (int)(fraction * width);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"\r{file} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:0.0}% {Bytes(BytesDone)}/{(BytesTotal is { } t ? Bytes(t) : "?")} {Bytes((long)rate)}/s ETA {(eta is { } e ? e.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--")}  ");
        bar!.Write(line);
        bar.Flush();
    }

    internal static string Bytes(long bytes) => Gguf.Memory.MemoryBreakdown.Format(bytes);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Downloading {File}: {BytesDone} of {BytesTotal} bytes at {BytesPerSecond} B/s, ETA {EtaSeconds:0} s", EventName = "PullProgress")]
        public static partial void Progress(ILogger logger, string file, long bytesDone, long bytesTotal, long bytesPerSecond, double etaSeconds);
    }
}
