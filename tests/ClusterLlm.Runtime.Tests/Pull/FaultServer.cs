using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Runtime.Tests.Pull;

/// <summary>What the server does to one request; requests past the scripted ones are served normally.</summary>
internal abstract record Fault
{
    /// <summary>Answers with a status code (and a Retry-After header) instead of content.</summary>
    public sealed record Status(int Code, string? RetryAfter = null) : Fault;

    /// <summary>Sends this many bytes of the body, then drops the connection.</summary>
    public sealed record DropAfter(long Bytes) : Fault;

    /// <summary>Answers 200 with the whole file whatever Range asked for.</summary>
    public sealed record IgnoreRange : Fault;

    /// <summary>Sends this many bytes, then nothing more (until the client gives up).</summary>
    public sealed record Stall(long AfterBytes) : Fault;

    /// <summary>Flips the byte at this file offset.</summary>
    public sealed record Corrupt(long At) : Fault;
}

internal sealed record RecordedRequest(string Path, long? RangeFrom, string? Authorization);

/// <summary>
/// A real Kestrel server on a loopback port serving files with Range support, a Hugging Face-like
/// resolve route that redirects to a "CDN" path, and scripted faults.
/// </summary>
internal sealed class FaultServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Fault> faults = new();

    private FaultServer(WebApplication app) => this.app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The token the resolve route demands; null lets anyone in.</summary>
    public string? RequiredToken { get; set; }

    public string RepoCommit { get; set; } = "0123456789abcdef0123456789abcdef01234567";

    public static async Task<FaultServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new FaultServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUri = new Uri(address);
        return server;
    }

    public Uri Serve(string name, byte[] content)
    {
        files[name] = content;
        return new Uri(BaseUri, "files/" + name);
    }

    public void Script(params Fault[] script)
    {
        foreach (var fault in script)
        {
            faults.Enqueue(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var range = ParseRange(request.Headers.Range.ToString());
        Requests.Enqueue(new RecordedRequest(request.Path.Value!, range, request.Headers.Authorization.FirstOrDefault()));

        var segments = request.Path.Value!.Trim('/').Split('/');
        if (segments.Length >= 5 && segments[2] == "resolve")
        {
            // hf: ORG/REPO/resolve/REVISION/PATH, authorised, then redirected as the Hub redirects to its CDN.
            if (RequiredToken is not null && request.Headers.Authorization != "Bearer " + RequiredToken)
            {
                context.Response.StatusCode = 401;
                return;
            }

            context.Response.Headers["X-Repo-Commit"] = RepoCommit;
            // The CDN is another origin: the same server under the name localhost.
            context.Response.Redirect($"http://localhost:{BaseUri.Port}/cdn/" + string.Join('/', segments[4..]));
            return;
        }

        if (segments.Length != 2 || segments[0] is not ("files" or "cdn") || !files.TryGetValue(Uri.UnescapeDataString(segments[1]), out var content))
        {
            context.Response.StatusCode = 404;
            return;
        }

        faults.TryDequeue(out var fault);
        if (fault is Fault.Status status)
        {
            context.Response.StatusCode = status.Code;
            if (status.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = status.RetryAfter;
            }

            return;
        }

        var from = fault is Fault.IgnoreRange ? 0 : range ?? 0;
        if (from >= content.Length && from > 0)
        {
            context.Response.StatusCode = 416;
            context.Response.Headers.ContentRange = $"bytes */{content.Length}";
            return;
        }

        if (from > 0)
        {
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }

        context.Response.ContentLength = content.Length - from;
        var body = content.AsMemory((int)from);
        if (fault is Fault.Corrupt corrupt && corrupt.At >= from)
        {
            var copy = body.ToArray();
            copy[corrupt.At - from] ^= 0x01;
            body = copy;
        }

        var limit = fault switch
        {
            Fault.DropAfter drop => drop.Bytes,
            Fault.Stall stall => stall.AfterBytes,
            _ => long.MaxValue,
        };
        await context.Response.Body.WriteAsync(body[..(int)Math.Min(limit, body.Length)], context.RequestAborted);
        if (fault is Fault.DropAfter)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        }
        else if (fault is Fault.Stall)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, which is what a stall test waits for.
            }
        }
    }

    private static long? ParseRange(string header) =>
        header.StartsWith("bytes=", StringComparison.Ordinal) && header.EndsWith('-') && long.TryParse(header.AsSpan(6, header.Length - 7), out var from)
            ? from
            : null;
}
