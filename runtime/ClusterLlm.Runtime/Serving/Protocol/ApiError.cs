namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// An error in OpenAI's shape, <c>{"error": {"message", "type", "param", "code"}}</c>, with its HTTP status.
/// <see cref="Param"/> names the request parameter at fault, as a JSON path relative to the body.
/// </summary>
internal sealed record ApiError(int Status, string Message, string Type, string? Param = null, string? Code = null)
{
    /// <summary>Seconds a client should wait before retrying; sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiError InvalidParameter(string param, string message)
        => new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, "invalid_value");

    public static ApiError InvalidType(string param, string expected)
        => new(StatusCodes.Status400BadRequest, $"'{param}' must be {expected}.", "invalid_request_error", param, "invalid_type");

    public static ApiError MissingParameter(string param)
        => new(StatusCodes.Status400BadRequest, $"'{param}' is required.", "invalid_request_error", param, "missing_required_parameter");

    public static ApiError Unsupported(string param, string message)
        => new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, "unsupported_value");

    public static ApiError InvalidJson(string? param, string detail)
        => new(StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {detail}", "invalid_request_error", param ?? "body", "invalid_json");

    public static ApiError PromptTooLong(string param, int promptTokens, int contextTokens)
        => new(
            StatusCodes.Status400BadRequest,
            $"The prompt has {promptTokens} tokens, but the context holds {contextTokens} per request; shorten '{param}'.",
            "invalid_request_error",
            param,
            "context_length_exceeded");

    public static ApiError ModelNotFound(string model, string served)
        => new(
            StatusCodes.Status404NotFound,
            $"The model '{model}' does not exist here; this server serves '{served}'.",
            "invalid_request_error",
            "model",
            "model_not_found");

    public static ApiError BodyTooLarge(long limit)
        => new(
            StatusCodes.Status413PayloadTooLarge,
            $"The request body exceeds the limit of {limit} bytes.",
            "invalid_request_error",
            "body",
            "request_too_large");

    public static readonly ApiError InvalidApiKey = new(
        StatusCodes.Status401Unauthorized,
        "Missing or invalid API key: send 'Authorization: Bearer <key>'.",
        "authentication_error",
        null,
        "invalid_api_key");

    public static readonly ApiError QueueFull = new(
        StatusCodes.Status429TooManyRequests,
        "The server's request queue is full; retry later.",
        "rate_limit_error",
        null,
        "queue_full")
    { RetryAfterSeconds = 1 };

    public static readonly ApiError Loading = new(
        StatusCodes.Status503ServiceUnavailable,
        "Loading model",
        "unavailable_error",
        null,
        "model_loading")
    { RetryAfterSeconds = 5 };

    public static readonly ApiError Draining = new(
        StatusCodes.Status503ServiceUnavailable,
        "The server is shutting down; retry on another replica.",
        "unavailable_error",
        null,
        "draining")
    { RetryAfterSeconds = 1 };

    /// <summary>An accepted request the engine abandoned at shutdown, once the drain timeout ran out.</summary>
    public static readonly ApiError ShutDown = new(
        StatusCodes.Status503ServiceUnavailable,
        "The server shut down before the request finished; retry on another replica.",
        "unavailable_error",
        null,
        "shutdown")
    { RetryAfterSeconds = 1 };

    public static readonly ApiError LoadFailed = new(
        StatusCodes.Status503ServiceUnavailable,
        "The model failed to load.",
        "unavailable_error",
        null,
        "model_load_failed")
    { RetryAfterSeconds = 30 };

    public static ApiError NotFound(string path)
        => new(StatusCodes.Status404NotFound, $"No endpoint at '{path}'.", "invalid_request_error", null, "not_found");

    public static ApiError MethodNotAllowed(string method, string path)
        => new(StatusCodes.Status405MethodNotAllowed, $"'{path}' does not accept {method}.", "invalid_request_error", null, "method_not_allowed");

    public static ApiError Internal(string message)
        => new(StatusCodes.Status500InternalServerError, message, "server_error", null, "internal_error");
}
