using System.CommandLine;
using System.Globalization;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// Resolves <see cref="ServeSettings"/> from a parse result and the environment, collecting every
/// problem (each naming its flag and variable) instead of stopping at the first.
/// </summary>
internal static class ServeSettingsBinder
{
    internal static readonly Option[] Options =
    [
        ServeCommand.Model, ServeCommand.Alias, ServeCommand.Host, ServeCommand.Port, ServeCommand.ContextSize,
        ServeCommand.Parallel, ServeCommand.GpuLayers, ServeCommand.BatchSize, ServeCommand.MicroBatchSize,
        ServeCommand.FlashAttention, ServeCommand.CacheTypeK, ServeCommand.CacheTypeV, ServeCommand.Threads,
        ServeCommand.MaxQueue, ServeCommand.ApiKeyFile, ServeCommand.DrainTimeout, ServeCommand.SsePingInterval,
        ServeCommand.Pool, ServeCommand.Revision,
    ];

    internal sealed record Result(ServeSettings Settings, IReadOnlyList<string> Errors)
    {
        public bool Succeeded => Errors.Count == 0;
    }

    public static Result Bind(ParseResult parseResult, Func<string, string?> environment)
    {
        var errors = new List<string>();
        var reader = new Reader(parseResult, environment, errors);

        var model = reader.Text(ServeCommand.Model);
        if (string.IsNullOrWhiteSpace(model))
        {
            errors.Add($"--model (or {ServeCommand.EnvironmentVariableOf(ServeCommand.Model)}) is required.");
        }
        else if (!File.Exists(model))
        {
            errors.Add($"--model: '{model}' does not exist.");
        }
        var settings = new ServeSettings
        {
            ModelPath = model ?? string.Empty,
            Alias = reader.Text(ServeCommand.Alias),
            Host = reader.Text(ServeCommand.Host) ?? "0.0.0.0",
            Port = reader.Integer(ServeCommand.Port, 0, 65535) ?? 8080,
            ContextSize = reader.Integer(ServeCommand.ContextSize, 0, 1 << 24),
            Parallel = reader.Integer(ServeCommand.Parallel, 1, 256),
            GpuLayers = reader.Integer(ServeCommand.GpuLayers, -1, 10_000),
            BatchSize = reader.Integer(ServeCommand.BatchSize, 1, 1 << 20),
            MicroBatchSize = reader.Integer(ServeCommand.MicroBatchSize, 1, 1 << 20),
            FlashAttention = reader.Choice(ServeCommand.FlashAttention, ServeCommand.FlashAttentionModes),
            CacheTypeK = reader.Choice(ServeCommand.CacheTypeK, ServeCommand.CacheTypes),
            CacheTypeV = reader.Choice(ServeCommand.CacheTypeV, ServeCommand.CacheTypes),
            Threads = reader.Integer(ServeCommand.Threads, 1, 1024),
            MaxQueue = reader.Integer(ServeCommand.MaxQueue, 0, 1_000_000),
            ApiKeyFile = reader.Text(ServeCommand.ApiKeyFile),
            DrainTimeout = reader.Seconds(ServeCommand.DrainTimeout, 0, 86_400) ?? TimeSpan.FromSeconds(30),
            SsePingInterval = reader.Seconds(ServeCommand.SsePingInterval, 0.05, 3600) ?? TimeSpan.FromSeconds(15),
            Pool = reader.Text(ServeCommand.Pool) ?? string.Empty,
            Revision = reader.Text(ServeCommand.Revision) ?? string.Empty,
        };
        if (settings.MicroBatchSize > settings.BatchSize)
        {
            errors.Add($"--ubatch-size ({settings.MicroBatchSize}) must not exceed --batch-size ({settings.BatchSize}).");
        }
        if (settings.ApiKeyFile is { } keys && !File.Exists(keys))
        {
            errors.Add($"--api-key-file: '{keys}' does not exist.");
        }
        return new Result(settings, errors);
    }

    /// <summary>One value per option: the flag if given, else its variable, else null.</summary>
    private sealed class Reader(ParseResult parseResult, Func<string, string?> environment, List<string> errors)
    {
        public string? Text(Option<string> option) => Raw(option, out _);

        public int? Integer(Option<int> option, int min, int max)
        {
            var raw = Raw(option, out var source);
            if (raw is null)
            {
                return null;
            }
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                errors.Add($"{source}: '{raw}' must be an integer from {min} to {max}.");
                return null;
            }
            return value;
        }

        public TimeSpan? Seconds(Option<double> option, double min, double max)
        {
            var raw = Raw(option, out var source);
            if (raw is null)
            {
                return null;
            }
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
            {
                errors.Add($"{source}: '{raw}' must be a number of seconds from {ServeCommand.Format(min)} to {ServeCommand.Format(max)}.");
                return null;
            }
            return TimeSpan.FromSeconds(value);
        }

        public string? Choice(Option<string> option, string[] allowed)
        {
            var raw = Raw(option, out var source);
            if (raw is null)
            {
                return null;
            }
            var value = raw.ToLowerInvariant();
            if (Array.IndexOf(allowed, value) < 0)
            {
                errors.Add($"{source}: '{raw}' must be one of {string.Join(", ", allowed)}.");
                return null;
            }
            return value;
        }

        private string? Raw(Option option, out string source)
        {
            if (parseResult.GetResult(option) is { Implicit: false, Tokens.Count: > 0 } given)
            {
                source = option.Name;
                return given.Tokens[^1].Value;
            }
            source = ServeCommand.EnvironmentVariableOf(option);
            var fromEnvironment = environment(source);
            return string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment;
        }
    }
}
