namespace ClusterLlm.Runtime.Scheduling;

/// <summary>An idle slot as the selector sees it: what its KV cache holds and when it was last released.</summary>
internal readonly record struct SlotCandidate(int Id, IReadOnlyList<int> Cached, long LastUsed);

/// <summary>
/// Picks the idle slot for a new prompt as llama-server does: the slot whose cached tokens share the longest
/// prefix with the prompt, if that covers more than <see cref="MinSimilarity"/> of it; otherwise the least
/// recently used slot, so caches that might be reused again survive longest.
/// </summary>
internal static class SlotSelector
{
    /// <summary>llama-server's <c>--slot-prompt-similarity</c> default.</summary>
    public const double MinSimilarity = 0.1;

    public static SlotCandidate Select(IReadOnlyList<SlotCandidate> idle, IReadOnlyList<int> prompt)
    {
        ArgumentNullException.ThrowIfNull(idle);
        ArgumentNullException.ThrowIfNull(prompt);
        if (idle.Count == 0)
        {
            throw new ArgumentException("There is no idle slot to choose from.", nameof(idle));
        }

        SlotCandidate? best = null;
        var bestSimilarity = MinSimilarity;
        foreach (var slot in idle)
        {
            var similarity = prompt.Count == 0 ? 0 : (double)CommonPrefix(slot.Cached, prompt) / prompt.Count;
            if (similarity > bestSimilarity)
            {
                best = slot;
                bestSimilarity = similarity;
            }
        }
        if (best is { } similar)
        {
            return similar;
        }

        var lru = idle[0];
        foreach (var slot in idle)
        {
            if (slot.LastUsed < lru.LastUsed)
            {
                lru = slot;
            }
        }
        return lru;
    }

    /// <summary>Length of the longest common prefix of two token sequences.</summary>
    public static int CommonPrefix(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a.Count, b.Count);
        var i = 0;
        while (i < n && a[i] == b[i])
        {
            i++;
        }
        return i;
    }
}
