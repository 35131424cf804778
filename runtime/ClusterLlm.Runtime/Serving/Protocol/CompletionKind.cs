namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>Which OpenAI endpoint a completion answers, and so which response shape it takes.</summary>
internal enum CompletionKind
{
    /// <summary><c>/v1/chat/completions</c>: <c>chat.completion</c> objects with messages and deltas.</summary>
    Chat,

    /// <summary><c>/v1/completions</c>: <c>text_completion</c> objects with text.</summary>
    Text,
}
