using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterLlm.Gguf;

/// <summary>
/// The naming scheme of split GGUFs as llama.cpp's <c>llama_split_path</c> writes it:
/// <c>PREFIX-00001-of-00003.gguf</c>, parts numbered from 1.
/// </summary>
public static partial class GgufSplitPath
{
    /// <summary>True when <paramref name="path"/> names one part of a split GGUF.</summary>
    public static bool TryParse(string path, out string prefix, out int part, out int count)
    {
        ArgumentNullException.ThrowIfNull(path);
        var match = SplitName().Match(path);
        if (!match.Success
            || !int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out part)
            || !int.TryParse(match.Groups[3].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out count)
            || part < 1 || count < 1 || part > count)
        {
            prefix = string.Empty;
            part = count = 0;
            return false;
        }

        prefix = match.Groups[1].Value;
        return true;
    }

    /// <summary>The path of part <paramref name="part"/> (1-based) of <paramref name="count"/>.</summary>
    public static string Format(string prefix, int part, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{part:D5}-of-{count:D5}.gguf");

    /// <summary>Every part's path, given any one part's path; the path itself when it names no split.</summary>
    public static IReadOnlyList<string> AllParts(string path)
    {
        if (!TryParse(path, out var prefix, out _, out var count))
        {
            return [path];
        }

        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = Format(prefix, i + 1, count);
        }

        return parts;
    }

    [GeneratedRegex(@"^(.+)-(\d{5})-of-(\d{5})\.gguf$", RegexOptions.CultureInvariant)]
    private static partial Regex SplitName();
}
