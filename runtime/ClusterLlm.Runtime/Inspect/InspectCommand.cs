using System.CommandLine;
using System.Text.Json;
using ClusterLlm.Gguf;
using ClusterLlm.Gguf.Memory;

namespace ClusterLlm.Runtime.Inspect;

/// <summary><c>clusterllm-runtime inspect</c>: a model's GGUF facts and the memory it needs under given settings.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var defaults = new EstimateSettings();
        var path = new Argument<FileInfo>("PATH") { Description = "The GGUF file (any part of a split model)." };
        var ctx = new Option<int>("--ctx-size") { Description = "Tokens per sequence.", DefaultValueFactory = _ => defaults.ContextSize };
        var parallel = new Option<int>("--parallel") { Description = "Concurrent sequences (slots).", DefaultValueFactory = _ => defaults.ParallelSlots };
        var cacheK = new Option<string>("--cache-type-k") { Description = "K cache type: f16, q8_0, q4_0, ...", DefaultValueFactory = _ => "f16" };
        var cacheV = new Option<string>("--cache-type-v") { Description = "V cache type: f16, q8_0, q4_0, ...", DefaultValueFactory = _ => "f16" };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers on the GPU; -1 for all.", DefaultValueFactory = _ => defaults.GpuLayers };
        var batch = new Option<int>("--batch-size") { Description = "Logical batch size.", DefaultValueFactory = _ => defaults.BatchSize };
        var ubatch = new Option<int>("--ubatch-size") { Description = "Physical batch size.", DefaultValueFactory = _ => defaults.UbatchSize };
        var flash = new Option<string>("--flash-attn") { Description = "auto (on where supported), on or off.", DefaultValueFactory = _ => "auto" };
        flash.AcceptOnlyFromAmong("auto", "on", "off");
        var unified = new Option<bool>("--kv-unified") { Description = "One KV pool shared by all slots instead of one per slot." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };

        var command = new Command("inspect", "Print a model's GGUF facts and the estimated memory for weights, KV cache and compute buffers. Exit codes: 0 ok, 1 unreadable or invalid GGUF, 2 bad settings.")
        {
            path, ctx, parallel, cacheK, cacheV, gpuLayers, batch, ubatch, flash, unified, json,
        };
        command.SetAction(result =>
        {
            var file = result.GetRequiredValue(path).FullName;
            if (!KvCacheTypes.TryParse(result.GetValue(cacheK), out var typeK) || !KvCacheTypes.TryParse(result.GetValue(cacheV), out var typeV))
            {
                Console.Error.WriteLine($"{(KvCacheTypes.TryParse(result.GetValue(cacheK), out _) ? "--cache-type-v" : "--cache-type-k")}: unknown cache type; use one of {string.Join(", ", Enum.GetNames<KvCacheType>().Select(n => n.ToLowerInvariant()))}");
                return 2;
            }

            var settings = new EstimateSettings
            {
                ContextSize = result.GetValue(ctx),
                ParallelSlots = result.GetValue(parallel),
                CacheTypeK = typeK,
                CacheTypeV = typeV,
                GpuLayers = result.GetValue(gpuLayers),
                BatchSize = result.GetValue(batch),
                UbatchSize = result.GetValue(ubatch),
                FlashAttention = result.GetValue(flash) != "off",
                KvUnified = result.GetValue(unified),
            };

            GgufFacts facts;
            try
            {
                facts = GgufFacts.From(GgufModel.Open(file));
            }
            catch (Exception e) when (e is GgufFormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }

            MemoryEstimate estimate;
            try
            {
                estimate = MemoryEstimator.Estimate(facts, settings);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{OptionFor(e.ParamName)}: {e.Message}");
                return 2;
            }

            var report = new InspectReport(file, facts, settings, estimate);
            Console.Out.Write(result.GetValue(json) ? JsonSerializer.Serialize(report, InspectJsonContext.Default.InspectReport) + Environment.NewLine : report.ToText());
            return 0;
        });
        return command;
    }

    private static string OptionFor(string? parameter) => parameter switch
    {
        nameof(EstimateSettings.ContextSize) => "--ctx-size",
        nameof(EstimateSettings.ParallelSlots) => "--parallel",
        nameof(EstimateSettings.CacheTypeK) => "--cache-type-k",
        nameof(EstimateSettings.CacheTypeV) => "--cache-type-v",
        nameof(EstimateSettings.GpuLayers) => "--gpu-layers",
        nameof(EstimateSettings.BatchSize) => "--batch-size",
        nameof(EstimateSettings.UbatchSize) => "--ubatch-size",
        _ => "model",
    };
}
