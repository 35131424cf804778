using System.Globalization;
using System.Text;

namespace ClusterLlm.Bench.Runtime;

internal static class Report
{
    public static string Line(PointResult p)
        => FormattableString.Invariant(
            $"[bench] {p.Server,-12} c={p.Concurrency,-3} requests={p.Requests.Count,-4} failures={p.Failures} tok/s={p.TokensPerSecond:F1} ttft p50={p.TtftP50 * 1000:F0} ms p95={p.TtftP95 * 1000:F0} ms prompt={p.PromptTokens:F0} tok cpu={p.ServerCpu.TotalSeconds:F1} s tok/cpu-s={p.TokensPerCpuSecond:F2}")
            + (p.Failures > 0 ? $" first error: {p.Requests.First(r => !r.Ok).Error}" : string.Empty);

    public static string Markdown(
        BenchOptions options,
        MachineFacts machine,
        IReadOnlyList<(PointResult Llama, PointResult Runtime)> points,
        (double Llama, double Runtime) rss,
        DateTime started,
        DateTime finished)
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine("# Runtime benchmark: clusterllm-runtime vs llama-server");
        s.AppendLine();
        s.AppendLine(inv, $"Run {started:yyyy-MM-dd HH:mm} to {finished:HH:mm} UTC. Produced by `make bench-runtime`, which ran:");
        s.AppendLine();
        s.AppendLine("```");
        s.AppendLine(options.Command);
        s.AppendLine("```");
        s.AppendLine();
        s.AppendLine("## Results");
        s.AppendLine();
        s.AppendLine("| concurrency | llama-server tok/s | clusterllm tok/s | throughput ratio | llama-server TTFT p50 / p95 (ms) | clusterllm TTFT p50 / p95 (ms) | TTFT p95 ratio | requests (llama / clusterllm) | failures |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (l, r) in points)
        {
            s.AppendLine(inv,
                $"| {l.Concurrency} | {l.TokensPerSecond:F1} | {r.TokensPerSecond:F1} | **{r.TokensPerSecond / l.TokensPerSecond:F2}×** | {l.TtftP50 * 1000:F0} / {l.TtftP95 * 1000:F0} | {r.TtftP50 * 1000:F0} / {r.TtftP95 * 1000:F0} | {r.TtftP95 / l.TtftP95:F2} | {l.Requests.Count} / {r.Requests.Count} | {l.Failures} / {r.Failures} |");
        }
        s.AppendLine();
        s.AppendLine("Cost per token, from the CPU time each server process used during the point (user + kernel, all threads). On a shared machine this is steadier than wall-clock throughput, because it does not count the time a server waited for a core:");
        s.AppendLine();
        s.AppendLine("| concurrency | llama-server tok per CPU-s | clusterllm tok per CPU-s | ratio |");
        s.AppendLine("|---:|---:|---:|---:|");
        foreach (var (l, r) in points)
        {
            s.AppendLine(inv, $"| {l.Concurrency} | {l.TokensPerCpuSecond:F2} | {r.TokensPerCpuSecond:F2} | **{r.TokensPerCpuSecond / l.TokensPerCpuSecond:F2}×** |");
        }
        s.AppendLine();
        s.AppendLine(inv, $"Peak RSS (VmHWM over the whole run): llama-server {rss.Llama:F0} MiB, clusterllm-runtime {rss.Runtime:F0} MiB (ratio {rss.Runtime / rss.Llama:F2}).");
        s.AppendLine();
        s.AppendLine("Throughput ratio is clusterllm / llama-server (above 1 is better); TTFT p95 ratio is clusterllm / llama-server (below 1 is better).");
        s.AppendLine();
        s.AppendLine("## Method");
        s.AppendLine();
        s.AppendLine(inv, $"- Model: `{Path.GetFileName(options.Model)}`, the `bench` testmodel preset (llama architecture, F16 random weights, real vocabulary).");
        s.AppendLine(inv, $"- Both servers: {options.Parallel} slots, context {options.ContextSize} tokens in total, {options.Threads} threads for decode and batch, flash attention auto, default sampling chain. llama-server runs with explicit `-np`, so its KV cache is not unified, and `--cache-ram 0` disables its host-RAM prompt cache, which clusterllm does not have (unique prompts could not hit it anyway).");
        s.AppendLine(inv, $"- Load: one closed-loop generator per point; each of N workers sends streaming `/v1/chat/completions` requests back to back for {options.Duration.TotalSeconds:F0} s and finishes the one in flight. Prompts are {options.PromptWords} words plus a unique first line (about {points.Select(p => p.Runtime.PromptTokens).DefaultIfEmpty(0).Average():F0} tokens after the chat template), so no prefix cache can skip them; `max_tokens` {options.MaxTokens} with `ignore_eos` fixes every output length.");
        s.AppendLine("- Throughput: completion tokens of all requests in the point (from `usage`) divided by the point's wall time. TTFT: from sending the request to the first non-empty content delta, nearest-rank percentiles.");
        s.AppendLine("- Points run interleaved (llama-server, then clusterllm, at each concurrency) after one warm-up request each, so load from other work on the machine falls on both alike.");
        s.AppendLine();
        s.AppendLine("## Machine");
        s.AppendLine();
        s.AppendLine(inv, $"- CPU: {machine.Cpu}, {machine.Cores} logical cores; memory {machine.Memory}; {machine.Kernel}; {machine.Runtime}.");
        s.AppendLine(inv, $"- Load average when the run began: {machine.LoadAverage} (the machine is shared with other work).");
        return s.ToString();
    }
}
