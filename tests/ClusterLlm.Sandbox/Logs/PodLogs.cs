using System.Text;

namespace ClusterLlm.Sandbox.Logs;

/// <summary>
/// Container logs served by <c>pods/{name}/log</c>. The node agent (or a test) appends output per
/// container; readers get the buffer, optionally the last lines, and followers wait for more.
/// Each buffer keeps its newest <see cref="MaxBytes"/> characters.
/// </summary>
public sealed class PodLogs
{
    public const int MaxBytes = 1 << 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Namespace, string Pod, string Container), Buffer> _buffers = [];

    public void Append(string ns, string pod, string container, string text)
    {
        Buffer buffer;
        lock (_gate)
        {
            buffer = Get(ns, pod, container);
            buffer.Text.Append(text);
            if (buffer.Text.Length > MaxBytes)
            {
                buffer.Text.Remove(0, buffer.Text.Length - MaxBytes);
            }

            var waiters = buffer.Changed;
            buffer.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.TrySetResult();
        }
    }

    /// <summary>Drops a pod's logs, as deleting the pod does.</summary>
    public void Remove(string ns, string pod)
    {
        lock (_gate)
        {
            foreach (var key in _buffers.Keys.Where(k => k.Namespace == ns && k.Pod == pod).ToList())
            {
                _buffers[key].Changed.TrySetResult();
                _buffers.Remove(key);
            }
        }
    }

    /// <summary>The whole log, or its last <paramref name="tailLines"/> lines, and a task that completes on the next append.</summary>
    public (string Text, Task Changed) Read(string ns, string pod, string container, int? tailLines)
    {
        lock (_gate)
        {
            var buffer = Get(ns, pod, container);
            var text = buffer.Text.ToString();
            if (tailLines is { } tail)
            {
                var lines = text.Split('\n');
                var keep = text.EndsWith('\n') ? tail + 1 : tail;
                text = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - keep)));
            }

            return (text, buffer.Changed.Task);
        }
    }

    /// <summary>The text appended after <paramref name="offset"/> characters, for followers.</summary>
    internal (string Text, int Offset, Task Changed) ReadFrom(string ns, string pod, string container, int offset)
    {
        lock (_gate)
        {
            var buffer = Get(ns, pod, container);
            var start = Math.Min(offset, buffer.Text.Length);
            return (buffer.Text.ToString(start, buffer.Text.Length - start), buffer.Text.Length, buffer.Changed.Task);
        }
    }

    private Buffer Get(string ns, string pod, string container)
    {
        if (!_buffers.TryGetValue((ns, pod, container), out var buffer))
        {
            _buffers[(ns, pod, container)] = buffer = new Buffer();
        }

        return buffer;
    }

    private sealed class Buffer
    {
        public StringBuilder Text { get; } = new();

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
