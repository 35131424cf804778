namespace ClusterLlm.Gguf;

/// <summary>A whole model: one GGUF file, or every part of a split GGUF in order.</summary>
public sealed class GgufModel
{
    private GgufModel(IReadOnlyList<GgufFile> parts)
    {
        Parts = parts;
        Tensors = parts.Count == 1 ? parts[0].Tensors : parts.SelectMany(p => p.Tensors).ToArray();
    }

    /// <summary>The parts in order; metadata lives in the first.</summary>
    public IReadOnlyList<GgufFile> Parts { get; }

    public IReadOnlyDictionary<string, GgufValue> Metadata => Parts[0].Metadata;

    /// <summary>Tensors of all parts.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    public long FileBytes => Parts.Sum(p => p.FileSize);

    /// <summary>A model held in one file that has already been read.</summary>
    public static GgufModel FromFile(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new GgufModel([file]);
    }

    /// <summary>
    /// Opens a model. When the file declares <c>split.count</c> above 1, every sibling part is read too;
    /// <paramref name="path"/> may name any part.
    /// </summary>
    public static GgufModel Open(string path, GgufReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var first = GgufFile.Read(path, options);
        var splitCount = SplitCount(first);
        if (splitCount <= 1)
        {
            return new GgufModel([first]);
        }

        if (!GgufSplitPath.TryParse(path, out var prefix, out _, out var nameCount) || nameCount != splitCount)
        {
            throw new GgufFormatException($"{path}: declares split.count {splitCount}, but its name does not follow PREFIX-NNNNN-of-{splitCount:D5}.gguf");
        }

        var parts = new GgufFile[splitCount];
        for (var i = 0; i < splitCount; i++)
        {
            var partPath = GgufSplitPath.Format(prefix, i + 1, splitCount);
            if (!File.Exists(partPath))
            {
                throw new GgufFormatException($"{partPath}: part {i + 1} of {splitCount} of the split model is missing");
            }

            var part = partPath == path ? first : GgufFile.Read(partPath, options);
            CheckPart(part, partPath, i, splitCount);
            parts[i] = part;
        }

        var declared = parts[0].Metadata.TryGetValue("split.tensors.count", out var tc) && tc.TryGetInt64(out var n) ? n : -1;
        var actual = parts.Sum(p => (long)p.Tensors.Count);
        if (declared >= 0 && declared != actual)
        {
            throw new GgufFormatException($"{parts[0].Path}: split.tensors.count is {declared}, but the parts hold {actual} tensors");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in parts.SelectMany(p => p.Tensors))
        {
            if (!names.Add(tensor.Name))
            {
                throw new GgufFormatException($"{path}: tensor '{tensor.Name}' appears in more than one part of the split model");
            }
        }

        return new GgufModel(parts);
    }

    private static int SplitCount(GgufFile file) =>
        file.Metadata.TryGetValue("split.count", out var v) && v.TryGetInt64(out var n) ? (int)Math.Clamp(n, 0, ushort.MaxValue) : 1;

    private static void CheckPart(GgufFile part, string path, int index, int count)
    {
        var no = part.Metadata.TryGetValue("split.no", out var v) && v.TryGetInt64(out var n) ? n : -1;
        if (no != index || SplitCount(part) != count)
        {
            throw new GgufFormatException($"{path}: expected split.no {index} of split.count {count}, found split.no {no} of {SplitCount(part)}");
        }
    }
}
