using ClusterLlm.Runtime.Scheduling;

namespace ClusterLlm.Runtime.Tests.Scheduling;

public sealed class SlotSelectorTests
{
    [Test]
    public void Select_SlotSharingALongPrefix_IsPreferredOverOlderSlots()
    {
        var idle = new[]
        {
            new SlotCandidate(0, [9, 9, 9], LastUsed: 1),
            new SlotCandidate(1, [1, 2, 3, 4], LastUsed: 5),
            new SlotCandidate(2, [1, 2], LastUsed: 3),
        };

        var chosen = SlotSelector.Select(idle, [1, 2, 3, 4, 5]);

        Assert.That(chosen.Id, Is.EqualTo(1));
    }

    [Test]
    public void Select_PrefixBelowTenPercent_FallsBackToLeastRecentlyUsed()
    {
        var prompt = Enumerable.Range(0, 100).ToArray();
        var idle = new[]
        {
            new SlotCandidate(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], LastUsed: 7),
            new SlotCandidate(1, [], LastUsed: 2),
            new SlotCandidate(2, [], LastUsed: 4),
        };

        var chosen = SlotSelector.Select(idle, prompt);

        Assert.That(chosen.Id, Is.EqualTo(1), "10 of 100 tokens is not above the 0.1 threshold");
    }

    [Test]
    public void Select_StreamPerSlot_KeepsBusySlotsConsecutive()
    {
        // Slots 1 and 3 are busy; slot 2 joins them into one run, while 0 (older) would leave two.
        var idle = new[]
        {
            new SlotCandidate(0, [], LastUsed: 1),
            new SlotCandidate(2, [], LastUsed: 9),
        };

        var chosen = SlotSelector.Select(idle, [1, 2, 3], busy: [1, 3]);

        Assert.That(chosen.Id, Is.EqualTo(2));
    }

    [Test]
    public void Select_StreamPerSlotWithAPrefixMatch_StillPrefersTheCache()
    {
        var idle = new[]
        {
            new SlotCandidate(0, [7, 8, 9], LastUsed: 1),
            new SlotCandidate(2, [], LastUsed: 9),
        };

        var chosen = SlotSelector.Select(idle, [7, 8, 9, 10], busy: [1, 3]);

        Assert.That(chosen.Id, Is.Zero);
    }

    [TestCase(new[] { 0, 1 }, 2, 1)]
    [TestCase(new[] { 0, 1 }, 3, 2)]
    [TestCase(new[] { 1, 3 }, 2, 1)]
    [TestCase(new int[0], 5, 1)]
    public void RunsWith_BusySlots_CountsRunsOfConsecutiveIds(int[] busy, int added, int expected)
    {
        Assert.That(SlotSelector.RunsWith(busy, added), Is.EqualTo(expected));
    }

    [Test]
    public void Select_NoIdleSlot_Throws()
    {
        Assert.That(() => SlotSelector.Select([], [1]), Throws.ArgumentException.With.Property("ParamName").EqualTo("idle"));
    }

    [TestCase(new[] { 1, 2, 3 }, new[] { 1, 2, 4 }, 2)]
    [TestCase(new[] { 1, 2 }, new[] { 1, 2, 3 }, 2)]
    [TestCase(new int[0], new[] { 1 }, 0)]
    [TestCase(new[] { 5 }, new[] { 6 }, 0)]
    public void CommonPrefix_TwoSequences_CountsTheSharedStart(int[] a, int[] b, int expected)
    {
        Assert.That(SlotSelector.CommonPrefix(a, b), Is.EqualTo(expected));
    }
}
