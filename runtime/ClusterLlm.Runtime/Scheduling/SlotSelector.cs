namespace ClusterLlm.Runtime.Scheduling;

/// <summary>An idle slot as the selector sees it: what its KV cache holds and when it was last released.</summary>
internal readonly record struct SlotCandidate(int Id, IReadOnlyList<int> Cached, long LastUsed);

/// <summary>
/// Picks the idle slot for a new prompt. First as llama-server does: the slot whose cached tokens share the
/// longest prefix with the prompt, if that covers more than <see cref="MinSimilarity"/> of it. Otherwise, when
/// the KV cache has one stream per slot, the slot that keeps the busy slots in the fewest runs of consecutive
/// ids: llama.cpp then splits a batch into ubatches of consecutive sequence ids only, so decodes on slots 0 and 2
/// cost two forward passes where slots 0 and 1 cost one. Ties, and a unified cache, go to the least recently
/// used slot, so caches that might be reused again survive longest.
/// </summary>
internal static class SlotSelector
{
    /// <summary>llama-server's <c>--slot-prompt-similarity</c> default.</summary>
    public const double MinSimilarity = 0.1;

    /// <param name="idle">The idle slots.</param>
    /// <param name="prompt">The new request's prompt.</param>
    /// <param name="busy">Ids of the busy slots when the cache has a stream per slot; <see langword="null"/> for a unified cache.</param>
    public static SlotCandidate Select(IReadOnlyList<SlotCandidate> idle, IReadOnlyList<int> prompt, IReadOnlyList<int>? busy = null)
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

        var chosen = idle[0];
        var chosenRuns = busy is null ? 0 : RunsWith(busy, chosen.Id);
        foreach (var slot in idle.Skip(1))
        {
            var runs = busy is null ? 0 : RunsWith(busy, slot.Id);
            if (runs < chosenRuns || (runs == chosenRuns && slot.LastUsed < chosen.LastUsed))
            {
                chosen = slot;
                chosenRuns = runs;
            }
        }
        return chosen;
    }

    /// <summary>How many runs of consecutive ids the busy slots form once <paramref name="added"/> joins them.</summary>
    public static int RunsWith(IReadOnlyList<int> busy, int added)
    {
        ArgumentNullException.ThrowIfNull(busy);
        var ids = busy.Append(added).Order().ToList();
        var runs = 1;
        for (var i = 1; i < ids.Count; i++)
        {
            if (ids[i] != ids[i - 1] + 1)
            {
                runs++;
            }
        }
        return runs;
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
