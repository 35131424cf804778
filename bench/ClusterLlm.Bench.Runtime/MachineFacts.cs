using System.Runtime.InteropServices;

namespace ClusterLlm.Bench.Runtime;

internal sealed record MachineFacts(string Cpu, int Cores, string Memory, string Kernel, string Runtime, string LoadAverage)
{
    public static MachineFacts Collect()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var load = File.ReadAllText("/proc/loadavg").Trim();
        return new MachineFacts(cpu, Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, load);
    }
}
