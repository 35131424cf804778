using System.Globalization;
using ClusterLlm.Bench.Runtime;

var options = BenchOptions.Parse(args);
var logDirectory = Path.Combine(Path.GetTempPath(), "clusterllm-bench");
Directory.CreateDirectory(logDirectory);
var generator = new LoadGenerator(options);
var machine = MachineFacts.Collect();
var started = DateTime.UtcNow;

Console.WriteLine($"[bench] {machine.Cpu}, {machine.Cores} cores; model {options.Model}; slots {options.Parallel}, ctx {options.ContextSize}, threads {options.Threads}");

var llamaPort = ServerProcess.FreePort();
await using var llama = await ServerProcess.StartAsync("llama-server", options.LlamaServer,
[
    "-m", options.Model, "--host", "127.0.0.1", "--port", llamaPort.ToString(CultureInfo.InvariantCulture),
    "-c", options.ContextSize.ToString(CultureInfo.InvariantCulture),
    "-np", options.Parallel.ToString(CultureInfo.InvariantCulture),
    "-t", options.Threads.ToString(CultureInfo.InvariantCulture),
    "-tb", options.Threads.ToString(CultureInfo.InvariantCulture),
    "-fa", "auto", "--cache-ram", "0", "--no-webui",
], llamaPort, Path.Combine(logDirectory, "llama-server.log"));

var runtimePort = ServerProcess.FreePort();
await using var runtime = await ServerProcess.StartAsync("clusterllm", options.Runtime,
[
    "serve", "--model", options.Model, "--alias", "bench", "--host", "127.0.0.1", "--port", runtimePort.ToString(CultureInfo.InvariantCulture),
    "--ctx-size", options.ContextSize.ToString(CultureInfo.InvariantCulture),
    "--parallel", options.Parallel.ToString(CultureInfo.InvariantCulture),
    "--threads", options.Threads.ToString(CultureInfo.InvariantCulture),
    "--flash-attn", "auto", "--max-queue", "256",
], runtimePort, Path.Combine(logDirectory, "clusterllm.log"));

foreach (var server in new[] { llama, runtime })
{
    var warm = await generator.WarmUpAsync(server);
    if (!warm.Ok)
    {
        throw new InvalidOperationException($"{server.Name} failed its warm-up request: {warm.Error}");
    }
}

var points = new List<(PointResult Llama, PointResult Runtime)>();
foreach (var concurrency in options.Concurrency)
{
    // Interleaved per point, so drift in a shared machine's load hits both servers alike.
    var a = await generator.RunAsync(llama, concurrency);
    Console.WriteLine(Report.Line(a));
    var b = await generator.RunAsync(runtime, concurrency);
    Console.WriteLine(Report.Line(b));
    points.Add((a, b));
}

var rss = (Llama: llama.PeakRssMiB(), Runtime: runtime.PeakRssMiB());
var markdown = Report.Markdown(options, machine, points, rss, started, DateTime.UtcNow);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
await File.WriteAllTextAsync(options.Output, markdown);
Console.WriteLine(markdown);
return points.All(p => p.Llama.Failures == 0 && p.Runtime.Failures == 0) ? 0 : 1;
