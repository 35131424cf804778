using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;
using ClusterLlm.Sandbox.Selectors;
using ClusterLlm.Sandbox.Storage;
using ClusterLlm.Sandbox.Tables;
using Microsoft.AspNetCore.Http;

namespace ClusterLlm.Sandbox.Watching;

/// <summary>
/// Streams a watch as newline-delimited <c>{"type","object"}</c> events: from a resourceVersion, or
/// the current state first (no resourceVersion, "0", or <c>sendInitialEvents</c>, which ends with
/// the <c>k8s.io/initial-events-end</c> bookmark); periodic bookmarks when allowed; an ERROR event
/// with 410 for an expired resourceVersion; and an end after <c>timeoutSeconds</c>.
/// </summary>
internal sealed class WatchStreamer
{
    private static readonly byte[] Newline = "\n"u8.ToArray();
    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bookmarkInterval;

    public WatchStreamer(ObjectStore store, TimeProvider time, TimeSpan bookmarkInterval)
    {
        _store = store;
        _time = time;
        _bookmarkInterval = bookmarkInterval;
    }

    public async Task ServeAsync(HttpContext context, ResourceType type, string? ns, string? name)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        var rvText = query["resourceVersion"].ToString();
        var sendInitial = query["sendInitialEvents"].ToString() == "true";
        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        if (sendInitial && (!bookmarks || query["resourceVersionMatch"].ToString() != "NotOlderThan"))
        {
            throw ApiException.Invalid("ListOptions", "meta.k8s.io", "", [new StatusCause("FieldValueForbidden", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks", "sendInitialEvents")]);
        }

        long? from = null;
        if (rvText.Length > 0 && rvText != "0")
        {
            from = long.TryParse(rvText, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{rvText}\": must be a non-negative integer");
        }

        var initial = sendInitial || from is null;
        var table = Responses.WantsTable(context);
        var include = Responses.Include(context);
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);

        Watcher watcher;
        try
        {
            watcher = _store.Watch(type.GroupResource, type.Namespaced ? ns : null, o => (name is null || o.Name == name) && labels.Matches(o.Labels) && fields.Matches(o.Object), from, initial);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            // Like the watch cache, an expired resourceVersion is reported in-stream, not as an HTTP error.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["type"] = "ERROR", ["object"] = e.ToStatus() }, Json.Options)).ConfigureAwait(false);
            return;
        }

        using (watcher)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            deadline.CancelAfter(timeout);
            var initialEnd = sendInitial ? _store.CurrentResourceVersion : (long?)null;
            var lastRv = from ?? 0;
            try
            {
                if (initialEnd is { } end)
                {
                    // The snapshot was queued before any later change; drain it, then mark its end.
                    while (watcher.Events.TryPeek(out var queued) && queued.Type == WatchEventType.Added && queued.ResourceVersion <= end && watcher.Events.TryRead(out var e))
                    {
                        await WriteEventAsync(context, type, e, table, include).ConfigureAwait(false);
                    }

                    await WriteBookmarkAsync(context, type, end, initialEventsEnd: true).ConfigureAwait(false);
                }

                while (!deadline.IsCancellationRequested)
                {
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                    if (bookmarks)
                    {
                        tick.CancelAfter(_bookmarkInterval);
                    }

                    bool more;
                    try
                    {
                        more = await watcher.Events.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                    {
                        await WriteBookmarkAsync(context, type, Math.Max(lastRv, _store.CurrentResourceVersion), initialEventsEnd: false).ConfigureAwait(false);
                        continue;
                    }

                    if (!more)
                    {
                        return;
                    }

                    while (watcher.Events.TryRead(out var e))
                    {
                        lastRv = Math.Max(lastRv, e.ResourceVersion);
                        await WriteEventAsync(context, type, e, table, include).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // timeoutSeconds elapsed or the client left: the stream simply ends.
            }
        }
    }

    private async Task WriteEventAsync(HttpContext context, ResourceType type, WatchEvent e, bool table, IncludeObject include)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, Json.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", e.TypeName);
            writer.WritePropertyName("object");
            if (table)
            {
                TableBuilder.Build(type, [e.Object!], include, _time.GetUtcNow(), e.ResourceVersion.ToString(CultureInfo.InvariantCulture), null).WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue(Responses.Bytes(type, e.Object!), skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        await WriteAsync(context, buffer.ToArray()).ConfigureAwait(false);
    }

    private static async Task WriteBookmarkAsync(HttpContext context, ResourceType type, long resourceVersion, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var bookmark = new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata },
        };
        await WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(bookmark, Json.Options)).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, byte[] line)
    {
        await context.Response.Body.WriteAsync(line, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(Newline, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
