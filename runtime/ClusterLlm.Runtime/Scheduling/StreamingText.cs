using System.Runtime.InteropServices;
using System.Text;

namespace ClusterLlm.Runtime.Scheduling;

/// <summary>
/// Turns a request's token bytes into text that is safe to stream: whole UTF-8 characters only (a multibyte
/// character split across tokens is carried until complete), and stop strings matched on the text, including
/// across token boundaries (a suffix that could start a stop string is held back until it can be decided).
/// </summary>
internal sealed class StreamingText(IReadOnlyList<string> stops)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly List<byte> _carry = new(4);
    private readonly StringBuilder _held = new();
    private readonly int _longestStop = stops.Count == 0 ? 0 : stops.Max(s => s.Length);

    /// <summary>Set once a stop string matched; no more text follows.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds one token's bytes; returns the text that may be sent now (possibly empty).</summary>
    public string Append(ReadOnlySpan<byte> piece)
    {
        if (Stopped)
        {
            return string.Empty;
        }
        if (_carry.Count == 0 && _longestStop == 0 && CompleteLength(piece) == piece.Length)
        {
            // The common case: no stop strings and a piece of whole characters goes out as it is.
            return Utf8.GetString(piece);
        }
        _carry.AddRange(piece);
        var complete = CompleteLength(CollectionsMarshal.AsSpan(_carry));
        if (complete == 0)
        {
            return string.Empty;
        }
        var bytes = _carry.GetRange(0, complete).ToArray();
        _carry.RemoveRange(0, complete);
        _held.Append(Utf8.GetString(bytes));
        return Release(final: false);
    }

    /// <summary>The request ended: flushes what was held (an incomplete trailing character becomes U+FFFD).</summary>
    public string Flush()
    {
        if (Stopped)
        {
            return string.Empty;
        }
        if (_carry.Count > 0)
        {
            _held.Append(Utf8.GetString([.. _carry]));
            _carry.Clear();
        }
        return Release(final: true);
    }

    private string Release(bool final)
    {
        if (_longestStop == 0)
        {
            var all = _held.ToString();
            _held.Clear();
            return all;
        }

        var text = _held.ToString();
        var stopAt = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }
        if (stopAt >= 0)
        {
            Stopped = true;
            _held.Clear();
            return text[..stopAt];
        }

        var keep = final ? 0 : PartialStopSuffix(text);
        // Never hold back half of a surrogate pair.
        if (keep > 0 && keep < text.Length && char.IsLowSurrogate(text[^keep]))
        {
            keep++;
        }
        var ready = text[..^keep];
        _held.Clear().Append(text, text.Length - keep, keep);
        return ready;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int PartialStopSuffix(string text)
    {
        var best = 0;
        foreach (var stop in stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > best; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>
    /// Bytes that can be decoded now: everything except a trailing lead byte whose continuation bytes have not
    /// arrived yet. Invalid sequences are not held (they decode to U+FFFD), so the carry never exceeds 3 bytes.
    /// </summary>
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        var count = bytes.Length;
        for (var back = 1; back <= Math.Min(3, count); back++)
        {
            var b = bytes[count - back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: look further back for its lead
            }
            var needed = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return needed > back ? count - back : count;
        }
        return count;
    }
}
