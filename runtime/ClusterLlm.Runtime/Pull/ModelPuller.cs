using System.Globalization;
using ClusterLlm.Gguf;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Runtime.Pull;

/// <summary>What to pull: a source URI, a destination folder and the expected digests (one per file, or none).</summary>
internal sealed record PullRequest(string Source, string Destination, IReadOnlyList<string> Sha256);

/// <summary>Pulls every file a source names, verifies each, then reads the model's GGUF facts.</summary>
internal sealed partial class ModelPuller(ModelSourceResolver resolver, ModelDownloader downloader, ILogger<ModelPuller> logger)
{
    public async Task<PullResult> PullAsync(PullRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sources = resolver.Resolve(request.Source);
        var digests = CheckDigests(request.Sha256, sources.Count);
        try
        {
            Directory.CreateDirectory(request.Destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PullException(PullFailure.LocalIo, $"--dest: cannot create '{request.Destination}': {e.Message}", e);
        }

        Log.Pulling(logger, sources[0].DisplayName, sources.Count, request.Destination);
        var files = new List<DownloadedFile>(sources.Count);
        for (var i = 0; i < sources.Count; i++)
        {
            var destination = Path.Combine(request.Destination, CheckFileName(sources[i]));
            files.Add(await downloader.DownloadAsync(sources[i], destination, digests.Count == 0 ? null : digests[i], cancellationToken).ConfigureAwait(false));
        }

        return new PullResult
        {
            Path = files[0].Path,
            SizeBytes = files.Sum(f => f.Size),
            Sha256 = files[0].Sha256,
            ResolvedRevision = files.Select(f => f.Revision).FirstOrDefault(r => r is not null),
            Files = files.Select(f => new PulledFile(Path.GetFileName(f.Path), f.Size, f.Sha256)).ToArray(),
            Reused = files.All(f => f.Reused),
            Attempts = files.Sum(f => f.Attempts),
            Gguf = ReadFacts(files[0].Path),
        };
    }

    private static GgufFacts ReadFacts(string path)
    {
        try
        {
            return GgufFacts.From(GgufModel.Open(path));
        }
        catch (GgufFormatException e)
        {
            throw new PullException(PullFailure.InvalidModel, $"the verified file is not a usable GGUF model: {e.Message}", e);
        }
    }

    private static List<string> CheckDigests(IReadOnlyList<string> digests, int files)
    {
        foreach (var digest in digests)
        {
            if (digest.Length != 64 || !digest.All(char.IsAsciiHexDigit))
            {
                throw new PullException(PullFailure.InvalidRequest, $"--sha256: '{digest}' is not 64 hexadecimal characters");
            }
        }

        if (digests.Count != 0 && digests.Count != files)
        {
            throw new PullException(
                PullFailure.InvalidRequest,
                string.Create(CultureInfo.InvariantCulture, $"--sha256: the source names {files} file(s) but {digests.Count} digest(s) were given; give one per file, comma-separated, in part order"));
        }

        return [.. digests.Select(d => d.ToLowerInvariant())];
    }

    private static string CheckFileName(IModelSource source)
    {
        var name = source.FileName;
        if (name.Length == 0 || name is "." or ".." || Path.GetFileName(name) != name || name.EndsWith(ModelDownloader.PartialSuffix, StringComparison.Ordinal))
        {
            throw new PullException(PullFailure.InvalidRequest, $"--source: '{source.DisplayName}' does not end in a usable file name");
        }

        return name;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Pulling {Source} ({Files} file(s)) into {Destination}", EventName = "PullStarted")]
        public static partial void Pulling(ILogger logger, string source, int files, string destination);
    }
}
