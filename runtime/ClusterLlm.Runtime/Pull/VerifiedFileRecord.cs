using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// The sidecar <c>FILE.verified.json</c> written after a file's sha256 was computed over its full
/// content. Its format is versioned and only ever extended, so a newer puller trusts what an older one
/// verified; it is only trusted while the file's size and modification time still match it.
/// </summary>
internal sealed record VerifiedFileRecord(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("lastWriteTimeUtc")] DateTime LastWriteTimeUtc,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("revision")] string? Revision)
{
    public const int CurrentFormat = 1;

    public static string PathFor(string file) => file + ".verified.json";

    /// <summary>The record, or null when it is absent or unreadable (then the file is hashed again).</summary>
    public static VerifiedFileRecord? TryRead(string file)
    {
        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllText(PathFor(file)), PullJsonContext.Default.VerifiedFileRecord);
            return record is { Format: >= 1 } && record.Sha256.Length == 64 ? record : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>True when the file on disk is still the one this record describes.</summary>
    public bool Describes(FileInfo file) =>
        file.Exists && file.Length == Size && file.LastWriteTimeUtc == LastWriteTimeUtc;

    /// <summary>Writes the record durably: to a temporary file, fsynced, then renamed over the old one.</summary>
    public void Write(string file)
    {
        var path = PathFor(file);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, PullJsonContext.Default.VerifiedFileRecord);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
