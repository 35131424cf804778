using System.Text;
using System.Text.Json;
using ClusterLlm.Runtime.Metrics;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving.Protocol;
using ClusterLlm.Runtime.Serving.Streaming;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: validate, tokenize, submit to the
/// engine, then relay its events as one JSON body or as server-sent events. Never touches the context.
/// </summary>
internal sealed partial class CompletionEndpoint(
    IInferenceEngine engine,
    RuntimeMetrics metrics,
    IOptions<ServerOptions> options,
    TimeProvider time,
    ILogger<CompletionEndpoint> logger)
{
    private readonly ServerOptions _options = options.Value;

    public async Task HandleAsync(HttpContext http, CompletionKind kind)
    {
        var telemetry = new RequestTelemetry(metrics, time);
        var prepared = await PrepareAsync(http, kind).ConfigureAwait(false);
        if (!prepared.Succeeded)
        {
            telemetry.Rejected(prepared.Error.Status);
            await ErrorResponses.WriteAsync(http, prepared.Error).ConfigureAwait(false);
            return;
        }
        var (request, parameters) = prepared.Value;
        var outcome = engine.TrySubmit(request, out var lease);
        var refusal = outcome switch
        {
            SubmitOutcome.Accepted => null,
            SubmitOutcome.QueueFull => ApiError.QueueFull,
            SubmitOutcome.PromptTooLong => ApiError.PromptTooLong(kind == CompletionKind.Chat ? "messages" : "prompt", request.PromptTokens.Count, engine.ContextPerSlot),
            _ => engine.Status == EngineStatus.Loading ? ApiError.Loading : ApiError.Draining,
        };
        if (refusal is not null || lease is null)
        {
            refusal ??= ApiError.Internal("The engine accepted the request without a lease.");
            telemetry.Rejected(refusal.Status);
            await ErrorResponses.WriteAsync(http, refusal).ConfigureAwait(false);
            return;
        }

        var format = new CompletionResponseFormat(kind, NewId(kind), time.GetUtcNow().ToUnixTimeSeconds(), _options.ModelAlias);
        await using (lease.ConfigureAwait(false))
        {
            try
            {
                if (parameters.Stream)
                {
                    await StreamAsync(http, lease, format, parameters.IncludeUsage, telemetry).ConfigureAwait(false);
                }
                else
                {
                    await RespondAsync(http, lease, format, telemetry).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client left; disposing the lease cancels the request wherever it is.
                telemetry.Aborted(null);
            }
            catch (IOException) when (http.RequestAborted.IsCancellationRequested)
            {
                telemetry.Aborted(null);
            }
        }
    }

    private async ValueTask<ParseResult<PreparedRequest>> PrepareAsync(HttpContext http, CompletionKind kind)
    {
        var (document, bodyError) = await RequestBodyReader.ReadJsonAsync(http.Request, _options.MaxRequestBodyBytes, http.RequestAborted).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }
        using (document)
        {
            string prompt;
            CompletionParameters parameters;
            string promptParam;
            if (kind == CompletionKind.Chat)
            {
                var chat = CompletionRequestParser.ParseChat(document!.RootElement);
                if (!chat.Succeeded)
                {
                    return chat.Error;
                }
                parameters = chat.Value.Parameters;
                promptParam = "messages";
                if (ModelError(parameters) is { } modelError)
                {
                    return modelError;
                }
                prompt = engine.ApplyChatTemplate(chat.Value.Messages);
            }
            else
            {
                var completion = CompletionRequestParser.ParseCompletion(document!.RootElement);
                if (!completion.Succeeded)
                {
                    return completion.Error;
                }
                parameters = completion.Value.Parameters;
                promptParam = "prompt";
                if (ModelError(parameters) is { } modelError)
                {
                    return modelError;
                }
                prompt = completion.Value.Prompt;
            }
            return Build(prompt, promptParam, parameters);
        }
    }

    private ApiError? ModelError(CompletionParameters parameters)
        => parameters.Model is { } model && !string.Equals(model, _options.ModelAlias, StringComparison.Ordinal)
            ? ApiError.ModelNotFound(model, _options.ModelAlias)
            : null;

    private ParseResult<PreparedRequest> Build(string prompt, string promptParam, CompletionParameters parameters)
    {
        var context = engine.ContextPerSlot;
        if (parameters.MaxTokens is > 0 and var max && max >= context)
        {
            return ApiError.InvalidParameter(parameters.MaxTokensParam,
                $"'{parameters.MaxTokensParam}' must be below the context of {context} tokens per request; got {max}.");
        }
        var vocabulary = engine.VocabularySize;
        foreach (var token in parameters.Sampling.LogitBias.Keys)
        {
            if (token >= vocabulary)
            {
                return ApiError.InvalidParameter("logit_bias", $"'logit_bias' key {token} is not a token id: the vocabulary has {vocabulary} tokens.");
            }
        }
        var tokens = engine.Tokenize(prompt, addSpecial: true, parseSpecial: true);
        if (tokens.Count == 0)
        {
            return ApiError.InvalidParameter(promptParam, $"'{promptParam}' produced no tokens.");
        }
        if (tokens.Count >= context)
        {
            return ApiError.PromptTooLong(promptParam, tokens.Count, context);
        }
        // Generation stops at the end of the slot's context, as llama-server's does.
        var maxTokens = Math.Min(parameters.MaxTokens ?? int.MaxValue, context - tokens.Count);
        var request = new GenerationRequest(tokens, maxTokens, parameters.Sampling, parameters.Stop, parameters.IgnoreEos);
        return new PreparedRequest(request, parameters);
    }

    private static async Task RespondAsync(HttpContext http, GenerationLease lease, CompletionResponseFormat format, RequestTelemetry telemetry)
    {
        var text = new StringBuilder();
        await foreach (var item in lease.Events.ReadAllAsync(http.RequestAborted).ConfigureAwait(false))
        {
            switch (item.Kind)
            {
                case GenerationEventKind.Started:
                    telemetry.Started();
                    break;
                case GenerationEventKind.Text:
                    telemetry.Token();
                    text.Append(item.Text);
                    break;
                case GenerationEventKind.Finished when item.FinishReason == FinishReason.Abort:
                    // The client is still here, so the engine gave up on the request: shutdown past the drain timeout.
                    telemetry.Failed(StatusCodes.Status503ServiceUnavailable, afterHeaders: false);
                    await ErrorResponses.WriteAsync(http, ApiError.ShutDown).ConfigureAwait(false);
                    return;
                case GenerationEventKind.Finished:
                    http.Response.StatusCode = StatusCodes.Status200OK;
                    http.Response.ContentType = "application/json; charset=utf-8";
                    format.WriteCompletion(http.Response.BodyWriter, text.ToString(), item.FinishReason, item.Usage);
                    await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                    telemetry.Finished(StatusCodes.Status200OK, item.FinishReason, item.Usage);
                    return;
                case GenerationEventKind.Failed:
                    telemetry.Failed(StatusCodes.Status500InternalServerError, afterHeaders: false);
                    await ErrorResponses.WriteAsync(http, EngineFailure(item)).ConfigureAwait(false);
                    return;
            }
        }
        telemetry.Failed(StatusCodes.Status500InternalServerError, afterHeaders: false);
        await ErrorResponses.WriteAsync(http, ApiError.Internal("The engine ended the request without a result.")).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext http, GenerationLease lease, CompletionResponseFormat format, bool includeUsage, RequestTelemetry telemetry)
    {
        var response = http.Response;
        var output = response.BodyWriter;
        var events = lease.Events;
        using var json = new Utf8JsonWriter(output, JsonWriting.Options);
        using var keepAlive = new KeepAliveTimer(time, _options.SsePingInterval, http.RequestAborted);
        var headersSent = false;

        void SendHeaders()
        {
            if (headersSent)
            {
                return;
            }
            headersSent = true;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            format.WriteRoleChunk(output);
        }

        while (true)
        {
            var wrote = false;
            while (events.TryRead(out var item))
            {
                switch (item.Kind)
                {
                    case GenerationEventKind.Started:
                        telemetry.Started();
                        SendHeaders();
                        wrote = true;
                        break;
                    case GenerationEventKind.Text:
                        telemetry.Token();
                        SendHeaders();
                        format.WriteTextChunk(output, json, item.Text ?? string.Empty);
                        wrote = true;
                        break;
                    case GenerationEventKind.Finished when item.FinishReason == FinishReason.Abort:
                        await FailStreamAsync(http, headersSent, ApiError.ShutDown, json, telemetry).ConfigureAwait(false);
                        return;
                    case GenerationEventKind.Finished:
                        SendHeaders();
                        format.WriteFinishChunk(output, json, item.FinishReason);
                        if (includeUsage)
                        {
                            format.WriteUsageChunk(output, json, item.Usage);
                        }
                        CompletionResponseFormat.WriteDone(output);
                        await output.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                        telemetry.Finished(StatusCodes.Status200OK, item.FinishReason, item.Usage);
                        return;
                    case GenerationEventKind.Failed:
                        await FailStreamAsync(http, headersSent, EngineFailure(item), json, telemetry).ConfigureAwait(false);
                        return;
                }
            }
            if (wrote)
            {
                keepAlive.Touch();
                await output.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }
            try
            {
                if (!await events.WaitToReadAsync(keepAlive.Token).ConfigureAwait(false))
                {
                    await FailStreamAsync(http, headersSent, ApiError.Internal("The engine ended the request without a result."), json, telemetry).ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (keepAlive.PingDue)
            {
                SendHeaders();
                CompletionResponseFormat.WritePing(output);
                keepAlive.Rearm();
                await output.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private async Task FailStreamAsync(HttpContext http, bool headersSent, ApiError error, Utf8JsonWriter json, RequestTelemetry telemetry)
    {
        Log.StreamFailed(logger, error.Message);
        if (!headersSent)
        {
            telemetry.Failed(error.Status, afterHeaders: false);
            await ErrorResponses.WriteAsync(http, error).ConfigureAwait(false);
            return;
        }
        telemetry.Failed(StatusCodes.Status200OK, afterHeaders: true);
        var output = http.Response.BodyWriter;
        CompletionResponseFormat.WriteErrorEvent(output, json, error);
        CompletionResponseFormat.WriteDone(output);
        await output.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private static ApiError EngineFailure(GenerationEvent failure)
        => ApiError.Internal(failure.Error ?? "The engine failed to complete the request.");

    private static string NewId(CompletionKind kind)
        => (kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");

    private sealed record PreparedRequest(GenerationRequest Request, CompletionParameters Parameters);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A completion failed: {Reason}", EventName = "CompletionFailed")]
        public static partial void StreamFailed(ILogger logger, string reason);
    }
}
