using System.Globalization;

namespace ClusterLlm.Bench.Runtime;

/// <summary>What one benchmark run compares, and under which load.</summary>
internal sealed record BenchOptions
{
    public required string LlamaServer { get; init; }

    public required string Runtime { get; init; }

    public required string Model { get; init; }

    public int Threads { get; init; } = 2;

    public int Parallel { get; init; } = 16;

    public int ContextSize { get; init; } = 8192;

    public int PromptWords { get; init; } = 100;

    public int MaxTokens { get; init; } = 64;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 4, 8, 16];

    public string Output { get; init; } = "bench/results/runtime.md";

    public string Command { get; init; } = string.Empty;

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; '{args[i]}' has no value.");
            }
            values[args[i][2..]] = args[++i];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var defaults = new BenchOptions { LlamaServer = "", Runtime = "", Model = "" };
        return new BenchOptions
        {
            LlamaServer = Required("llama-server"),
            Runtime = Required("runtime"),
            Model = Required("model"),
            Threads = Int("threads", defaults.Threads),
            Parallel = Int("parallel", defaults.Parallel),
            ContextSize = Int("ctx-size", defaults.ContextSize),
            PromptWords = Int("prompt-words", defaults.PromptWords),
            MaxTokens = Int("max-tokens", defaults.MaxTokens),
            Duration = TimeSpan.FromSeconds(Int("duration", (int)defaults.Duration.TotalSeconds)),
            Concurrency = values.TryGetValue("concurrency", out var c)
                ? c.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
                : defaults.Concurrency,
            Output = values.GetValueOrDefault("out", defaults.Output),
            Command = "dotnet run --project bench/ClusterLlm.Bench.Runtime -c Release -- " + string.Join(' ', args),
        };
    }
}
