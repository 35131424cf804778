using System.Net;
using System.Net.Http.Headers;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// An <c>http(s)://</c> source (and the Hugging Face resolve URLs <c>hf://</c> maps to). Redirects are
/// followed here rather than by the handler, so that the <c>X-Repo-Commit</c> header of the first hop
/// is seen and the bearer token never leaves the host it was issued for.
/// </summary>
internal sealed class HttpModelSource(HttpClient client, Uri uri, PullOptions options, TimeProvider time, string? bearerToken = null) : IModelSource
{
    private const int MaxRedirects = 10;

    public string DisplayName => uri.GetLeftPart(UriPartial.Path);

    public string FileName => Uri.UnescapeDataString(uri.Segments[^1]);

    public Uri Uri => uri;

    public async Task<SourceContent> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        var target = uri;
        string? revision = null;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            var response = await SendAsync(target, offset, cancellationToken).ConfigureAwait(false);
            revision ??= Header(response, "X-Repo-Commit");
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                target = location.IsAbsoluteUri ? location : new Uri(target, location);
                response.Dispose();
                continue;
            }

            return await ToContentAsync(response, offset, revision, cancellationToken).ConfigureAwait(false);
        }

        throw new PullException(PullFailure.InvalidRequest, $"{DisplayName}: more than {MaxRedirects} redirects");
    }

    private async Task<HttpResponseMessage> SendAsync(Uri target, long offset, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        // Only the origin named in the source gets the token; a CDN redirect target does not.
        if (bearerToken is not null && target.Host == uri.Host && target.Port == uri.Port)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headersTimeout.CancelAfter(options.ReadTimeout);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PullException(PullFailure.Timeout, $"{DisplayName}: no response headers within {options.ReadTimeout.TotalSeconds:0.###} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new PullException(PullFailure.Network, $"{DisplayName}: {e.Message}", e);
        }
    }

    private async Task<SourceContent> ToContentAsync(HttpResponseMessage response, long offset, string? revision, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return new SourceContent(await ReadBody(response, cancellationToken).ConfigureAwait(false), 0, response.Content.Headers.ContentLength, revision);
                case HttpStatusCode.PartialContent:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != offset)
                    {
                        throw new PullException(PullFailure.ServerError, $"{DisplayName}: asked for bytes from {offset}, the server sent a range from {range?.From}");
                    }

                    return new SourceContent(await ReadBody(response, cancellationToken).ConfigureAwait(false), offset, range.Length, revision);
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    var length = response.Content.Headers.ContentRange?.Length;
                    response.Dispose();
                    // The partial file already holds every byte: nothing is left to read.
                    return length == offset
                        ? new SourceContent(Stream.Null, offset, length, revision)
                        : await OpenAsync(0, cancellationToken).ConfigureAwait(false);
                case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                    throw new PullException(PullFailure.NotFound, $"{DisplayName}: not found (HTTP {status})");
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    var hint = bearerToken is null ? "no token was sent; set HF_TOKEN or --token-file" : "the token was refused or lacks access";
                    throw new PullException(PullFailure.Unauthorized, $"{DisplayName}: access denied (HTTP {status}): {hint}");
                case HttpStatusCode.TooManyRequests:
                    throw new PullException(PullFailure.RateLimited, $"{DisplayName}: rate limited (HTTP 429)", retryAfter: RetryAfter(response));
                case HttpStatusCode.RequestTimeout:
                case >= HttpStatusCode.InternalServerError:
                    throw new PullException(PullFailure.ServerError, $"{DisplayName}: server error (HTTP {status})", retryAfter: RetryAfter(response));
                default:
                    throw new PullException(PullFailure.InvalidRequest, $"{DisplayName}: unexpected HTTP {status} {response.ReasonPhrase}");
            }
        }
        catch (PullException)
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<Stream> ReadBody(HttpResponseMessage response, CancellationToken cancellationToken) =>
        new ResponseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>Owns the response, so that disposing the body releases the connection.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
