namespace ClusterLlm.LlamaCpp.Native;

/// <summary>
/// C's one-byte <c>bool</c>. .NET marshals <see cref="bool"/> as a four-byte Win32 BOOL by default, which would
/// shift every later field of a by-value struct; this keeps the mirrored structs blittable and byte-exact.
/// </summary>
internal readonly record struct CBool(byte Value)
{
    public static implicit operator bool(CBool value) => value.Value != 0;

    public static implicit operator CBool(bool value) => new(value ? (byte)1 : (byte)0);
}
