namespace ClusterLlm.Runtime.Pull;

/// <summary>A <c>file://</c> source: a local or mounted file, read from any offset.</summary>
internal sealed class FileModelSource(string path) : IModelSource
{
    public string DisplayName => new Uri(path).AbsoluteUri;

    public string FileName => Path.GetFileName(path);

    public Task<SourceContent> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            return Task.FromResult(new SourceContent(stream, stream.Position, stream.Length, Revision: null));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PullException(PullFailure.NotFound, $"{DisplayName}: no such file", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PullException(PullFailure.Unauthorized, $"{DisplayName}: permission denied", e);
        }
        catch (IOException e)
        {
            throw new PullException(PullFailure.LocalIo, $"{DisplayName}: {e.Message}", e);
        }
    }
}
