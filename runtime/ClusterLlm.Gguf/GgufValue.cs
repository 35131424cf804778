using System.Globalization;

namespace ClusterLlm.Gguf;

/// <summary>
/// One typed metadata value. <see cref="Value"/> holds the CLR value that matches <see cref="Type"/>
/// (byte, sbyte, ushort, short, uint, int, float, bool, string, ulong, long, double or <see cref="GgufArray"/>).
/// </summary>
public sealed record GgufValue(GgufValueType Type, object Value)
{
    /// <summary>Reads any integer type as a signed 64-bit value; false for other types or a ulong above long.MaxValue.</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Value)
        {
            case byte b: value = b; return true;
            case sbyte sb: value = sb; return true;
            case ushort us: value = us; return true;
            case short s: value = s; return true;
            case uint ui: value = ui; return true;
            case int i: value = i; return true;
            case long l: value = l; return true;
            case ulong ul when ul <= long.MaxValue: value = (long)ul; return true;
            default: value = 0; return false;
        }
    }

    public bool TryGetDouble(out double value)
    {
        switch (Value)
        {
            case float f: value = f; return true;
            case double d: value = d; return true;
            default:
                var ok = TryGetInt64(out var l);
                value = l;
                return ok;
        }
    }

    public string? AsString() => Value as string;

    public GgufArray? AsArray() => Value as GgufArray;

    public override string ToString() => Value switch
    {
        string s => s,
        GgufArray a => a.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };
}

/// <summary>
/// A metadata array. Arrays longer than the reader's materialisation limit (token lists, merges) keep
/// only their length and element type: <see cref="Items"/> is then null.
/// </summary>
public sealed record GgufArray(GgufValueType ElementType, long Length, IReadOnlyList<object>? Items)
{
    /// <summary>The elements as 64-bit integers, when the array is materialised and holds integers.</summary>
    public IReadOnlyList<long>? AsInt64List()
    {
        if (Items is null)
        {
            return null;
        }

        var result = new long[Items.Count];
        for (var i = 0; i < Items.Count; i++)
        {
            if (!new GgufValue(ElementType, Items[i]).TryGetInt64(out result[i]))
            {
                return null;
            }
        }

        return result;
    }

    public override string ToString() => $"[{ElementType} x {Length}]";
}
