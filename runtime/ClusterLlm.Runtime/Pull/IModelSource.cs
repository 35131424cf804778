namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Where one file's bytes come from. Implementations classify their failures as <see cref="PullException"/>
/// so the downloader can tell what to retry; adding a scheme (s3://, oci://) means adding a source and
/// teaching <see cref="ModelSourceResolver"/> its URI.
/// </summary>
internal interface IModelSource
{
    /// <summary>The source as it may be logged: never with credentials.</summary>
    string DisplayName { get; }

    /// <summary>The file name to store the bytes under.</summary>
    string FileName { get; }

    /// <summary>
    /// Opens the content from <paramref name="offset"/>. A source that cannot seek returns content from an
    /// earlier offset (0), and says so in <see cref="SourceContent.Offset"/>.
    /// </summary>
    Task<SourceContent> OpenAsync(long offset, CancellationToken cancellationToken);
}

/// <summary>An open read of a source.</summary>
/// <param name="Stream">The bytes, starting at <paramref name="Offset"/>.</param>
/// <param name="Offset">Where <paramref name="Stream"/> starts in the file.</param>
/// <param name="TotalLength">The whole file's length, when the source knows it.</param>
/// <param name="Revision">The immutable revision the source resolved to (a Hugging Face commit), when known.</param>
internal sealed record SourceContent(Stream Stream, long Offset, long? TotalLength, string? Revision) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
