using System.Security.Cryptography;
using System.Text;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// The accepted bearer keys, held only as SHA-256 digests. Checking hashes a candidate and compares it
/// with every digest in constant time, so neither a key's content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly byte[][] _digests;

    private ApiKeyStore(byte[][] digests) => _digests = digests;

    public bool Enabled => _digests.Length > 0;

    public static ApiKeyStore Empty { get; } = new([]);

    /// <summary>Reads one key per line; blank lines and surrounding whitespace are ignored.</summary>
    public static ApiKeyStore Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--api-key-file: '{path}' does not exist.", path);
        }
        var digests = File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Select(key => SHA256.HashData(Encoding.UTF8.GetBytes(key)))
            .ToArray();
        if (digests.Length == 0)
        {
            throw new InvalidDataException($"--api-key-file: '{path}' holds no keys.");
        }
        return new ApiKeyStore(digests);
    }

    public bool IsValid(ReadOnlySpan<char> candidate)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(candidate.ToString()), digest);
        var match = false;
        foreach (var known in _digests)
        {
            // No early exit: every key is compared whatever the outcome.
            match |= CryptographicOperations.FixedTimeEquals(digest, known);
        }
        return match;
    }
}
