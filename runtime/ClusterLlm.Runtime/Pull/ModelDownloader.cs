using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Downloads one file to its final path so that only a complete, verified file ever appears there:
/// bytes go to <c>FILE.partial</c> (resumed with Range after an interruption), the sha256 is computed as
/// they are written, the file is fsynced and then renamed. Transient failures are retried by a Polly
/// pipeline; each attempt continues from what the partial file already holds.
/// </summary>
internal sealed partial class ModelDownloader(PullOptions options, IFreeSpaceProvider freeSpace, TimeProvider time, ILogger<ModelDownloader> logger, PullConsole console)
{
    public const string PartialSuffix = ".partial";

    // Dirty pages are handed to the disk every so many bytes, so the closing fsync has little left to do.
    private const long WritebackChunk = 64L << 20;

    // Records which source a partial file came from, so a partial of another model is never resumed.
    private const string PartialSourceSuffix = ".partial.source";

    public async Task<DownloadedFile> DownloadAsync(IModelSource source, string destination, string? expectedSha256, CancellationToken cancellationToken)
    {
        if (await TryReuseAsync(source, destination, expectedSha256, cancellationToken).ConfigureAwait(false) is { } reused)
        {
            Log.Reused(logger, destination, reused.Sha256);
            return reused;
        }

        var partial = destination + PartialSuffix;
        DiscardForeignPartial(partial, source.DisplayName);
        var attempts = 0;
        var delays = new List<TimeSpan>();
        string? revision = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var file = OpenPartial(partial);
        await using (file.ConfigureAwait(false))
        {
            await HashExistingAsync(file, hash, cancellationToken).ConfigureAwait(false);
            var progress = new PullProgress(logger, time, options.ProgressInterval, console.ProgressBar, source.FileName, file.Length);
            var pipeline = BuildPipeline(source, delays);
            await pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    revision = await AttemptAsync(source, file, hash, progress, token).ConfigureAwait(false) ?? revision;
                },
                cancellationToken).ConfigureAwait(false);
            progress.Complete();
            Durably(() => file.Flush(flushToDisk: true), partial);
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        var size = new FileInfo(partial).Length;
        if (expectedSha256 is not null && !string.Equals(sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partial);
            DeleteSourceMarker(partial);
            throw new PullException(PullFailure.ChecksumMismatch, $"{source.DisplayName}: sha256 is {sha256}, expected {expectedSha256.ToLowerInvariant()}; the download was discarded");
        }

        Durably(
            () =>
            {
                File.Move(partial, destination, overwrite: true);
                FileSync.FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
                new VerifiedFileRecord(VerifiedFileRecord.CurrentFormat, size, sha256, File.GetLastWriteTimeUtc(destination), source.DisplayName, revision).Write(destination);
            },
            destination);
        DeleteSourceMarker(partial);
        Log.Verified(logger, destination, size, sha256, attempts);
        return new DownloadedFile(destination, size, sha256, revision, Reused: false, attempts, delays);
    }

    private ResiliencePipeline BuildPipeline(IModelSource source, List<TimeSpan> delays) =>
        options.MaxRetries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PullException>(e => e.IsRetryable),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryAfter,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is PullException { RetryAfter: { } retryAfter }
                        ? (TimeSpan?)(retryAfter < options.MaxRetryAfter ? retryAfter : options.MaxRetryAfter)
                        : Backoff(args.AttemptNumber)),
                OnRetry = args =>
                {
                    delays.Add(args.RetryDelay);
                    Log.Retrying(logger, source.DisplayName, args.AttemptNumber + 2, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    // Exponential backoff with full jitter below a cap, so that many pullers do not retry in step.
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    private async Task<string?> AttemptAsync(IModelSource source, FileStream file, IncrementalHash hash, PullProgress progress, CancellationToken cancellationToken)
    {
        var offset = file.Length;
        var content = await source.OpenAsync(offset, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            if (content.Offset != offset)
            {
                Log.RangeIgnored(logger, source.DisplayName, offset);
                Restart(file, hash, progress);
                offset = 0;
            }

            if (content.TotalLength is { } total && total < offset)
            {
                Restart(file, hash, progress);
                throw new PullException(PullFailure.ServerError, $"{source.DisplayName}: the source is now {total} bytes, shorter than the {offset} already downloaded; restarting");
            }

            progress.BytesTotal = content.TotalLength;
            EnsureSpace(file.Name, content.TotalLength - offset);
            await CopyAsync(source, content.Stream, file, hash, progress, cancellationToken).ConfigureAwait(false);
            if (content.TotalLength is { } expected && file.Length != expected)
            {
                throw new PullException(PullFailure.Network, $"{source.DisplayName}: connection closed after {file.Length} of {expected} bytes");
            }

            return content.Revision;
        }
    }

    private static void Restart(FileStream file, IncrementalHash hash, PullProgress progress)
    {
        file.SetLength(0);
        file.Position = 0;
        hash.GetHashAndReset();
        progress.Reset(0);
    }

    private void EnsureSpace(string partial, long? needed)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(partial))!;
        var available = freeSpace.GetAvailableBytes(directory);
        if (needed > available)
        {
            throw new PullException(PullFailure.InsufficientStorage, $"{directory}: {needed} more bytes are needed but only {available} are free; enlarge the volume (spec.storage.size)");
        }
    }

    // Two buffers: while one is hashed and written, the next network read fills the other. Bytes that
    // arrived before a failure are still written, so the next attempt resumes after them.
    private async Task CopyAsync(IModelSource source, Stream input, FileStream file, IncrementalHash hash, PullProgress progress, CancellationToken cancellationToken)
    {
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var current = new byte[options.BufferSize];
        var next = new byte[options.BufferSize];
        var writebackFrom = file.Position;
        Task<Chunk>? pending = FillAsync(source, input, current, readTimeout, cancellationToken);
        while (pending is not null)
        {
            var chunk = await pending.ConfigureAwait(false);
            pending = chunk.Error is null && chunk.Count > 0 ? FillAsync(source, input, next, readTimeout, cancellationToken) : null;
            try
            {
                hash.AppendData(current, 0, chunk.Count);
                await file.WriteAsync(current.AsMemory(0, chunk.Count), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await readTimeout.CancelAsync().ConfigureAwait(false);
                if (pending is not null)
                {
                    await pending.ConfigureAwait(false);
                }

                throw LocalWriteFailure(file.Name, e);
            }

            progress.Advance(chunk.Count);
            if (file.Position - writebackFrom >= WritebackChunk)
            {
                FileSync.StartWriteback(file.SafeFileHandle, writebackFrom, file.Position - writebackFrom);
                writebackFrom = file.Position;
            }

            if (chunk.Error is not null)
            {
                throw chunk.Error;
            }

            (current, next) = (next, current);
        }
    }

    /// <summary>Bytes read into a buffer, and the failure that ended the read early, if one did.</summary>
    private readonly record struct Chunk(int Count, PullException? Error);

    private async Task<Chunk> FillAsync(IModelSource source, Stream input, byte[] buffer, CancellationTokenSource readTimeout, CancellationToken cancellationToken)
    {
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                readTimeout.CancelAfter(options.ReadTimeout);
                var read = await input.ReadAsync(buffer.AsMemory(filled), readTimeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            return new Chunk(filled, null);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new Chunk(filled, new PullException(PullFailure.Timeout, $"{source.DisplayName}: no data for {options.ReadTimeout.TotalSeconds:0.###} s", e));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return new Chunk(filled, new PullException(PullFailure.Network, $"{source.DisplayName}: {e.Message}", e));
        }
    }

    private async Task<DownloadedFile?> TryReuseAsync(IModelSource source, string destination, string? expectedSha256, CancellationToken cancellationToken)
    {
        var info = new FileInfo(destination);
        if (!info.Exists)
        {
            return null;
        }

        var record = VerifiedFileRecord.TryRead(destination);
        if (record is not null && record.Describes(info)
            && (expectedSha256 is null ? record.Source == source.DisplayName : string.Equals(record.Sha256, expectedSha256, StringComparison.OrdinalIgnoreCase)))
        {
            return new DownloadedFile(destination, record.Size, record.Sha256, record.Revision, Reused: true, 0, []);
        }

        // No usable record (an older layout, a copied file, a touched file): hash the local bytes rather
        // than fetch them again, when there is something to compare the hash with.
        var wanted = expectedSha256 ?? (record?.Source == source.DisplayName && record.Size == info.Length ? record.Sha256 : null);
        if (wanted is null)
        {
            return null;
        }

        Log.Rehashing(logger, destination);
        string sha256;
        var stream = new FileStream(destination, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }

        if (!string.Equals(sha256, wanted, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        new VerifiedFileRecord(VerifiedFileRecord.CurrentFormat, info.Length, sha256, info.LastWriteTimeUtc, source.DisplayName, record?.Revision).Write(destination);
        return new DownloadedFile(destination, info.Length, sha256, record?.Revision, Reused: true, 0, []);
    }

    private static void DiscardForeignPartial(string partial, string source)
    {
        var marker = partial[..^PartialSuffix.Length] + PartialSourceSuffix;
        if (File.Exists(partial) && (!File.Exists(marker) || File.ReadAllText(marker) != source))
        {
            File.Delete(partial);
        }

        File.WriteAllText(marker, source);
    }

    private static void DeleteSourceMarker(string partial) => File.Delete(partial[..^PartialSuffix.Length] + PartialSourceSuffix);

    private static FileStream OpenPartial(string partial)
    {
        try
        {
            var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PullException(PullFailure.LocalIo, $"{partial}: {e.Message}", e);
        }
    }

    private static async Task HashExistingAsync(FileStream file, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        file.Position = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }

    private static void Durably(Action action, string path)
    {
        try
        {
            action();
        }
        catch (IOException e)
        {
            throw LocalWriteFailure(path, e);
        }
    }

    // ENOSPC and EDQUOT mean the volume is too small, which retrying cannot fix.
    private static PullException LocalWriteFailure(string path, IOException e) =>
        e.HResult is 28 or 122 or 112 or unchecked((int)0x80070070)
            ? new PullException(PullFailure.InsufficientStorage, $"{path}: the volume is full: {e.Message}", e)
            : new PullException(PullFailure.LocalIo, $"{path}: {e.Message}", e);

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Information, "{File} is already verified (sha256 {Sha256}); nothing to download", EventName = "PullReused")]
        public static partial void Reused(ILogger logger, string file, string sha256);

        [LoggerMessage(11, LogLevel.Information, "Hashing existing {File} to check it against the expected sha256", EventName = "PullRehashing")]
        public static partial void Rehashing(ILogger logger, string file);

        [LoggerMessage(12, LogLevel.Warning, "{Source} ignored the Range request from byte {Offset}; restarting from 0", EventName = "PullRangeIgnored")]
        public static partial void RangeIgnored(ILogger logger, string source, long offset);

        [LoggerMessage(13, LogLevel.Warning, "{Source}: attempt {Attempt} in {DelaySeconds:0.###} s after: {Reason}", EventName = "PullRetrying")]
        public static partial void Retrying(ILogger logger, string source, int attempt, double delaySeconds, string? reason);

        [LoggerMessage(14, LogLevel.Information, "Verified {File}: {Size} bytes, sha256 {Sha256}, {Attempts} attempt(s)", EventName = "PullVerified")]
        public static partial void Verified(ILogger logger, string file, long size, string sha256, int attempts);
    }
}
