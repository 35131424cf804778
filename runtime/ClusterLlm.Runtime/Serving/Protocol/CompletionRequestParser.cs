using System.Globalization;
using System.Text.Json;
using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// Turns OpenAI request bodies into validated requests. Pure: no engine, no I/O. Checks that need the
/// model (context length, vocabulary) happen after tokenizing, in the endpoints.
/// Unknown fields are ignored, as OpenAI clients send extras; fields we cannot honour are refused by name.
/// </summary>
internal static class CompletionRequestParser
{
    public const int MaxStopSequences = 16;

    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "developer", "user", "assistant", "tool" };

    public static ParseResult<ChatCompletionRequest> ParseChat(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType("body", "a JSON object");
        }
        if (!JsonFields.TryGet(root, "messages", out var messages))
        {
            return ApiError.MissingParameter("messages");
        }
        if (messages.ValueKind != JsonValueKind.Array)
        {
            return ApiError.InvalidType("messages", "an array of messages");
        }
        if (messages.GetArrayLength() == 0)
        {
            return ApiError.InvalidParameter("messages", "'messages' must contain at least one message.");
        }
        var turns = new List<ChatTurn>(messages.GetArrayLength());
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var turn = ParseMessage(message, $"messages[{index++}]");
            if (!turn.Succeeded)
            {
                return turn.Error;
            }
            turns.Add(turn.Value);
        }
        if (JsonFields.TryGet(root, "tools", out var tools) && (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() > 0))
        {
            return ApiError.Unsupported("tools", "'tools' is not supported by this server.");
        }
        var parameters = ParseParameters(root);
        return parameters.Succeeded ? new ChatCompletionRequest(turns, parameters.Value) : parameters.Error;
    }

    public static ParseResult<TextCompletionRequest> ParseCompletion(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType("body", "a JSON object");
        }
        if (!JsonFields.TryGet(root, "prompt", out var prompt))
        {
            return ApiError.MissingParameter("prompt");
        }
        string text;
        if (prompt.ValueKind == JsonValueKind.String)
        {
            text = prompt.GetString()!;
        }
        else if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
        {
            text = prompt[0].GetString()!;
        }
        else if (prompt.ValueKind == JsonValueKind.Array)
        {
            return ApiError.Unsupported("prompt", "'prompt' must be a string or an array holding one string; batches and token arrays are not supported.");
        }
        else
        {
            return ApiError.InvalidType("prompt", "a string");
        }
        if (JsonFields.Boolean(root, "echo", out var echo) is { } echoError)
        {
            return echoError;
        }
        if (echo == true)
        {
            return ApiError.Unsupported("echo", "'echo' is not supported by this server.");
        }
        if (JsonFields.TryGet(root, "suffix", out _))
        {
            return ApiError.Unsupported("suffix", "'suffix' is not supported by this server.");
        }
        if (JsonFields.Integer(root, "best_of", 1, 1, out _) is { } bestOfError)
        {
            return bestOfError;
        }
        var parameters = ParseParameters(root);
        return parameters.Succeeded ? new TextCompletionRequest(text, parameters.Value) : parameters.Error;
    }

    public static ParseResult<TokenizeRequest> ParseTokenize(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType("body", "a JSON object");
        }
        if (!JsonFields.TryGet(root, "content", out var content))
        {
            return ApiError.MissingParameter("content");
        }
        if (content.ValueKind != JsonValueKind.String)
        {
            return ApiError.InvalidType("content", "a string");
        }
        if (JsonFields.Boolean(root, "add_special", out var addSpecial) is { } e1)
        {
            return e1;
        }
        if (JsonFields.Boolean(root, "parse_special", out var parseSpecial) is { } e2)
        {
            return e2;
        }
        return new TokenizeRequest(content.GetString()!, addSpecial ?? false, parseSpecial ?? true);
    }

    public static ParseResult<DetokenizeRequest> ParseDetokenize(JsonElement root, int vocabularySize)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType("body", "a JSON object");
        }
        if (!JsonFields.TryGet(root, "tokens", out var tokens))
        {
            return ApiError.MissingParameter("tokens");
        }
        if (tokens.ValueKind != JsonValueKind.Array)
        {
            return ApiError.InvalidType("tokens", "an array of token ids");
        }
        var ids = new List<int>(tokens.GetArrayLength());
        var index = 0;
        foreach (var token in tokens.EnumerateArray())
        {
            var param = $"tokens[{index++}]";
            if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out var id))
            {
                return ApiError.InvalidType(param, "an integer token id");
            }
            if (id < 0 || id >= vocabularySize)
            {
                return ApiError.InvalidParameter(param, $"'{param}' must be a token id between 0 and {vocabularySize - 1}; got {id}.");
            }
            ids.Add(id);
        }
        return new DetokenizeRequest(ids);
    }

    private static ParseResult<ChatTurn> ParseMessage(JsonElement message, string path)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType(path, "a message object");
        }
        var roleParam = $"{path}.role";
        if (!JsonFields.TryGet(message, "role", out var role))
        {
            return ApiError.MissingParameter(roleParam);
        }
        if (role.ValueKind != JsonValueKind.String)
        {
            return ApiError.InvalidType(roleParam, "a string");
        }
        var roleName = role.GetString()!;
        if (!Roles.Contains(roleName))
        {
            return ApiError.InvalidParameter(roleParam, $"'{roleParam}' must be one of system, developer, user, assistant, tool; got '{roleName}'.");
        }
        var contentParam = $"{path}.content";
        if (!JsonFields.TryGet(message, "content", out var content))
        {
            // An assistant turn that only called tools has no content.
            return roleName == "assistant" ? new ChatTurn(roleName, string.Empty) : ApiError.MissingParameter(contentParam);
        }
        if (content.ValueKind == JsonValueKind.String)
        {
            return new ChatTurn(roleName, content.GetString()!);
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return ApiError.InvalidType(contentParam, "a string or an array of text parts");
        }
        var text = new System.Text.StringBuilder();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partParam = $"{contentParam}[{index++}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                return ApiError.InvalidType(partParam, "a content part object");
            }
            if (JsonFields.String(part, "type", out var type, $"{partParam}.type") is { } typeError)
            {
                return typeError;
            }
            if (type != "text")
            {
                return ApiError.Unsupported($"{partParam}.type", $"'{partParam}.type' must be 'text'; this server accepts no '{type ?? "untyped"}' parts.");
            }
            if (JsonFields.String(part, "text", out var partText, $"{partParam}.text") is { } textError)
            {
                return textError;
            }
            if (partText is null)
            {
                return ApiError.MissingParameter($"{partParam}.text");
            }
            text.Append(partText);
        }
        return new ChatTurn(roleName, text.ToString());
    }

    private static ParseResult<CompletionParameters> ParseParameters(JsonElement root)
    {
        if (JsonFields.String(root, "model", out var model) is { } e0)
        {
            return e0;
        }
        if (JsonFields.Integer(root, "max_tokens", 1, int.MaxValue, out var maxTokens) is { } e1)
        {
            return e1;
        }
        if (JsonFields.Integer(root, "max_completion_tokens", 1, int.MaxValue, out var maxCompletionTokens) is { } e2)
        {
            return e2;
        }
        if (JsonFields.Integer(root, "n", 1, 1, out _) is { } e3)
        {
            return e3 with { Message = "'n' must be 1: this server returns one choice per request." };
        }
        if (JsonFields.Number(root, "temperature", 0, 2, out var temperature) is { } e4)
        {
            return e4;
        }
        if (JsonFields.Number(root, "top_p", 0, 1, out var topP) is { } e5)
        {
            return e5;
        }
        if (JsonFields.Integer(root, "top_k", 0, int.MaxValue, out var topK) is { } e6)
        {
            return e6;
        }
        if (JsonFields.Number(root, "min_p", 0, 1, out var minP) is { } e7)
        {
            return e7;
        }
        if (JsonFields.Number(root, "presence_penalty", -2, 2, out var presencePenalty) is { } e8)
        {
            return e8;
        }
        if (JsonFields.Number(root, "frequency_penalty", -2, 2, out var frequencyPenalty) is { } e9)
        {
            return e9;
        }
        if (JsonFields.Number(root, "repeat_penalty", 0, 10, out var repeatPenalty) is { } e10)
        {
            return e10;
        }
        if (JsonFields.Integer(root, "repeat_last_n", -1, int.MaxValue, out var repeatLastN) is { } e11)
        {
            return e11;
        }
        if (JsonFields.Integer(root, "seed", long.MinValue, long.MaxValue, out var seed) is { } e12)
        {
            return e12;
        }
        if (JsonFields.Boolean(root, "ignore_eos", out var ignoreEos) is { } e13)
        {
            return e13;
        }
        if (JsonFields.Boolean(root, "stream", out var stream) is { } e14)
        {
            return e14;
        }
        if (JsonFields.Boolean(root, "logprobs", out var logprobs) is { } e15)
        {
            return e15;
        }
        if (logprobs == true || JsonFields.TryGet(root, "top_logprobs", out _))
        {
            var param = logprobs == true ? "logprobs" : "top_logprobs";
            return ApiError.Unsupported(param, $"'{param}' is not supported by this server.");
        }
        var includeUsage = false;
        if (JsonFields.TryGet(root, "stream_options", out var streamOptions))
        {
            if (streamOptions.ValueKind != JsonValueKind.Object)
            {
                return ApiError.InvalidType("stream_options", "an object");
            }
            if (stream != true)
            {
                return ApiError.InvalidParameter("stream_options", "'stream_options' is only allowed when 'stream' is true.");
            }
            if (JsonFields.Boolean(streamOptions, "include_usage", out var usage, "stream_options.include_usage") is { } e16)
            {
                return e16;
            }
            includeUsage = usage ?? false;
        }
        var stop = ParseStop(root);
        if (!stop.Succeeded)
        {
            return stop.Error;
        }
        var jsonObject = ParseResponseFormat(root, out var formatError);
        if (formatError is not null)
        {
            return formatError;
        }
        var logitBias = ParseLogitBias(root);
        if (!logitBias.Succeeded)
        {
            return logitBias.Error;
        }

        var defaults = new SamplingOptions();
        var sampling = new SamplingOptions
        {
            Temperature = (float)(temperature ?? defaults.Temperature),
            TopP = (float)(topP ?? defaults.TopP),
            TopK = (int)(topK ?? defaults.TopK),
            MinP = (float)(minP ?? defaults.MinP),
            PresencePenalty = (float)(presencePenalty ?? defaults.PresencePenalty),
            FrequencyPenalty = (float)(frequencyPenalty ?? defaults.FrequencyPenalty),
            RepeatPenalty = (float)(repeatPenalty ?? defaults.RepeatPenalty),
            RepeatLastN = (int)(repeatLastN ?? defaults.RepeatLastN),
            // OpenAI seeds are 64-bit; llama.cpp's are 32. Folding keeps distinct seeds likely distinct.
            Seed = seed is { } s ? unchecked((uint)(s ^ (s >> 32))) : null,
            LogitBias = logitBias.Value,
            JsonObject = jsonObject,
        };
        return new CompletionParameters
        {
            Model = model,
            MaxTokens = (int?)(maxCompletionTokens ?? maxTokens),
            MaxTokensParam = maxCompletionTokens is null ? "max_tokens" : "max_completion_tokens",
            Sampling = sampling,
            Stop = stop.Value,
            IgnoreEos = ignoreEos ?? false,
            Stream = stream ?? false,
            IncludeUsage = includeUsage,
        };
    }

    private static ParseResult<IReadOnlyList<string>> ParseStop(JsonElement root)
    {
        if (!JsonFields.TryGet(root, "stop", out var stop))
        {
            return ParseResult<IReadOnlyList<string>>.Success([]);
        }
        if (stop.ValueKind == JsonValueKind.String)
        {
            var single = stop.GetString()!;
            return single.Length == 0
                ? ApiError.InvalidParameter("stop", "'stop' must not be an empty string.")
                : ParseResult<IReadOnlyList<string>>.Success([single]);
        }
        if (stop.ValueKind != JsonValueKind.Array)
        {
            return ApiError.InvalidType("stop", "a string or an array of strings");
        }
        if (stop.GetArrayLength() > MaxStopSequences)
        {
            return ApiError.InvalidParameter("stop", $"'stop' may hold at most {MaxStopSequences} sequences; got {stop.GetArrayLength()}.");
        }
        var sequences = new List<string>(stop.GetArrayLength());
        var index = 0;
        foreach (var item in stop.EnumerateArray())
        {
            var param = $"stop[{index++}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                return ApiError.InvalidType(param, "a string");
            }
            var value = item.GetString()!;
            if (value.Length == 0)
            {
                return ApiError.InvalidParameter(param, $"'{param}' must not be an empty string.");
            }
            sequences.Add(value);
        }
        return ParseResult<IReadOnlyList<string>>.Success(sequences);
    }

    private static bool ParseResponseFormat(JsonElement root, out ApiError? error)
    {
        error = null;
        if (!JsonFields.TryGet(root, "response_format", out var format))
        {
            return false;
        }
        if (format.ValueKind != JsonValueKind.Object)
        {
            error = ApiError.InvalidType("response_format", "an object such as {\"type\": \"json_object\"}");
            return false;
        }
        if (JsonFields.String(format, "type", out var type, "response_format.type") is { } typeError)
        {
            error = typeError;
            return false;
        }
        switch (type)
        {
            case null:
                error = ApiError.MissingParameter("response_format.type");
                return false;
            case "text":
                return false;
            case "json_object":
                return true;
            default:
                error = ApiError.Unsupported("response_format.type", $"'response_format.type' must be 'text' or 'json_object'; got '{type}'.");
                return false;
        }
    }

    private static ParseResult<IReadOnlyDictionary<int, float>> ParseLogitBias(JsonElement root)
    {
        if (!JsonFields.TryGet(root, "logit_bias", out var bias))
        {
            return ParseResult<IReadOnlyDictionary<int, float>>.Success(new Dictionary<int, float>());
        }
        if (bias.ValueKind != JsonValueKind.Object)
        {
            return ApiError.InvalidType("logit_bias", "an object mapping token ids to biases");
        }
        var result = new Dictionary<int, float>();
        foreach (var entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var token))
            {
                return ApiError.InvalidParameter("logit_bias", $"'logit_bias' keys must be token ids (non-negative integers); got '{Truncate(entry.Name)}'.");
            }
            var param = $"logit_bias.{token}";
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var value))
            {
                return ApiError.InvalidType(param, "a number");
            }
            if (value is < -100 or > 100)
            {
                return ApiError.InvalidParameter(param, $"'{param}' must be between -100 and 100; got {value}.");
            }
            result[token] = (float)value;
        }
        return ParseResult<IReadOnlyDictionary<int, float>>.Success(result);
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : string.Concat(value.AsSpan(0, 32), "…");
}
