namespace ClusterLlm.Gguf;

/// <summary>The value types a GGUF metadata entry can hold, with their on-disk codes.</summary>
// The member names are the GGUF specification's type names, which happen to be CLR type names too.
#pragma warning disable CA1720
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}
#pragma warning restore CA1720
