using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>The parameters <c>/v1/chat/completions</c> and <c>/v1/completions</c> share, validated.</summary>
internal sealed record CompletionParameters
{
    public string? Model { get; init; }

    /// <summary>The requested limit from <c>max_completion_tokens</c> or <c>max_tokens</c>; null means up to the context.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The JSON name the limit came from, so a context check can name it.</summary>
    public string MaxTokensParam { get; init; } = "max_tokens";

    public SamplingOptions Sampling { get; init; } = new();

    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool IgnoreEos { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }
}

internal sealed record ChatCompletionRequest(IReadOnlyList<ChatTurn> Messages, CompletionParameters Parameters);

/// <summary>A legacy completion: the prompt is used as is, without a chat template.</summary>
internal sealed record TextCompletionRequest(string Prompt, CompletionParameters Parameters);

internal sealed record TokenizeRequest(string Content, bool AddSpecial, bool ParseSpecial);

internal sealed record DetokenizeRequest(IReadOnlyList<int> Tokens);
