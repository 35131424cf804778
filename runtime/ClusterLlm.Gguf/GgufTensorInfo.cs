namespace ClusterLlm.Gguf;

/// <summary>One tensor's descriptor. <see cref="Offset"/> is relative to the start of the file's data section.</summary>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, GgmlType Type, ulong Offset, long ElementCount, long ByteSize);
