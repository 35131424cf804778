using System.Buffers;
using System.Text.Json;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// The bytes of one request's responses. Everything constant is precomputed, once per process or once
/// per request (id, model, timestamps), so a streamed token costs a few copies plus escaping its text.
/// </summary>
internal sealed class CompletionResponseFormat
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private static readonly byte[] Ping = ": ping\n\n"u8.ToArray();
    private static readonly byte[] ChoiceOpen = ",\"choices\":[{\"index\":0,"u8.ToArray();
    private static readonly byte[] ChatDeltaOpen = "\"delta\":{\"content\":"u8.ToArray();
    private static readonly byte[] ChatDeltaClose = "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"u8.ToArray();
    private static readonly byte[] TextDeltaOpen = "\"text\":"u8.ToArray();
    private static readonly byte[] TextDeltaClose = ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"u8.ToArray();
    private static readonly byte[] ChatRole = "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"u8.ToArray();
    private static readonly byte[] ChatFinishOpen = "\"delta\":{},\"logprobs\":null,\"finish_reason\":"u8.ToArray();
    private static readonly byte[] TextFinishOpen = "\"text\":\"\",\"logprobs\":null,\"finish_reason\":"u8.ToArray();
    private static readonly byte[] FinishClose = "}],\"usage\":null}\n\n"u8.ToArray();
    private static readonly byte[] UsageOpen = ",\"choices\":[],\"usage\":"u8.ToArray();
    private static readonly byte[] ObjectClose = "}"u8.ToArray();

    private readonly CompletionKind _kind;
    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly byte[] _chunkHead;

    public CompletionResponseFormat(CompletionKind kind, string id, long created, string model)
    {
        _kind = kind;
        _id = id;
        _created = created;
        _model = model;
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, JsonWriting.Options))
        {
            json.WriteStartObject();
            WriteHeadFields(json, kind == CompletionKind.Chat ? "chat.completion.chunk" : "text_completion");
            json.Flush();
        }
        _chunkHead = buffer.WrittenSpan.ToArray();
    }

    public static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Abort => "abort",
        _ => "error",
    };

    public static void WritePing(IBufferWriter<byte> output) => output.Write(Ping);

    public static void WriteDone(IBufferWriter<byte> output) => output.Write(Done);

    /// <summary>The first chat chunk, announcing the assistant role (text completions have none).</summary>
    public void WriteRoleChunk(IBufferWriter<byte> output)
    {
        if (_kind != CompletionKind.Chat)
        {
            return;
        }
        WriteChunkStart(output);
        output.Write(ChatRole);
    }

    public void WriteTextChunk(IBufferWriter<byte> output, Utf8JsonWriter json, string text)
    {
        WriteChunkStart(output);
        var chat = _kind == CompletionKind.Chat;
        output.Write(chat ? ChatDeltaOpen : TextDeltaOpen);
        json.Reset(output);
        json.WriteStringValue(text);
        json.Flush();
        output.Write(chat ? ChatDeltaClose : TextDeltaClose);
    }

    public void WriteFinishChunk(IBufferWriter<byte> output, Utf8JsonWriter json, FinishReason reason)
    {
        WriteChunkStart(output);
        output.Write(_kind == CompletionKind.Chat ? ChatFinishOpen : TextFinishOpen);
        json.Reset(output);
        json.WriteStringValue(FinishReasonName(reason));
        json.Flush();
        output.Write(FinishClose);
    }

    /// <summary>The <c>stream_options.include_usage</c> chunk: no choices, and the usage.</summary>
    public void WriteUsageChunk(IBufferWriter<byte> output, Utf8JsonWriter json, TokenUsage usage)
    {
        output.Write(DataPrefix);
        output.Write(_chunkHead);
        output.Write(UsageOpen);
        json.Reset(output);
        WriteUsage(json, usage);
        json.Flush();
        output.Write(ObjectClose);
        output.Write(EventEnd);
    }

    /// <summary>A failure after the 200 went out: <c>data: {"error": {...}}</c>.</summary>
    public static void WriteErrorEvent(IBufferWriter<byte> output, Utf8JsonWriter json, ApiError error)
    {
        output.Write(DataPrefix);
        json.Reset(output);
        ErrorResponses.WriteErrorObject(json, error);
        json.Flush();
        output.Write(EventEnd);
    }

    /// <summary>A whole non-streamed <c>chat.completion</c> or <c>text_completion</c>.</summary>
    public void WriteCompletion(IBufferWriter<byte> output, string text, FinishReason reason, TokenUsage usage)
    {
        using var json = new Utf8JsonWriter(output, JsonWriting.Options);
        json.WriteStartObject();
        WriteHeadFields(json, _kind == CompletionKind.Chat ? "chat.completion" : "text_completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (_kind == CompletionKind.Chat)
        {
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", text);
        }
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", FinishReasonName(reason));
        json.WriteEndObject();
        json.WriteEndArray();
        json.WritePropertyName("usage");
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    private void WriteChunkStart(IBufferWriter<byte> output)
    {
        output.Write(DataPrefix);
        output.Write(_chunkHead);
        output.Write(ChoiceOpen);
    }

    private void WriteHeadFields(Utf8JsonWriter json, string objectName)
    {
        json.WriteString("id", _id);
        json.WriteString("object", objectName);
        json.WriteNumber("created", _created);
        json.WriteString("model", _model);
        json.WriteString("system_fingerprint", ServerInfo.SystemFingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject();
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.PromptTokens + usage.CompletionTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
