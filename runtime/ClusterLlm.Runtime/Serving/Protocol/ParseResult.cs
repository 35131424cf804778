using System.Diagnostics.CodeAnalysis;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>Either a validated value or the first error found, never both.</summary>
internal readonly record struct ParseResult<T>
    where T : class
{
    private ParseResult(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    public static ParseResult<T> Success(T value) => new(value, null);

    public static implicit operator ParseResult<T>(ApiError error) => new(null, error);

    public static implicit operator ParseResult<T>(T value) => new(value, null);
}
