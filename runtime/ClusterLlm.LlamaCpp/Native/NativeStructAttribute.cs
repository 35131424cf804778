namespace ClusterLlm.LlamaCpp.Native;

/// <summary>
/// Names the C struct a managed struct mirrors field by field. The layout test compiles a C program against
/// the pinned headers for every type carrying this attribute and compares sizes and offsets.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
internal sealed class NativeStructAttribute(string cName) : Attribute
{
    public string CName { get; } = cName;
}
