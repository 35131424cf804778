using System.CommandLine;
using System.Globalization;

namespace ClusterLlm.Runtime.Serving;

/// <summary>
/// <c>clusterllm-runtime serve</c>. Every flag has a <c>CLUSTERLLM_*</c> environment variable; a flag
/// on the command line wins over its variable, and either wins over the default.
/// </summary>
internal static class ServeCommand
{
    internal static readonly string[] FlashAttentionModes = ["auto", "on", "off"];
    internal static readonly string[] CacheTypes = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"];

    internal static readonly Option<string> Model = new("--model", "-m") { Description = "Path of the GGUF model to serve. Env: CLUSTERLLM_MODEL." };
    internal static readonly Option<string> Alias = new("--alias", "-a") { Description = "Model id clients use (default: the file name). Env: CLUSTERLLM_ALIAS." };
    internal static readonly Option<string> Host = new("--host") { Description = "Address to listen on (default 0.0.0.0). Env: CLUSTERLLM_HOST." };
    internal static readonly Option<int> Port = new("--port") { Description = "Port to listen on (default 8080; 0 picks a free one). Env: CLUSTERLLM_PORT." };
    internal static readonly Option<int> ContextSize = new("--ctx-size", "-c") { Description = "Context tokens across all slots. Env: CLUSTERLLM_CTX_SIZE." };
    internal static readonly Option<int> Parallel = new("--parallel", "-np") { Description = "Parallel sequences (slots). Env: CLUSTERLLM_PARALLEL." };
    internal static readonly Option<int> GpuLayers = new("--n-gpu-layers", "-ngl") { Description = "Layers to offload to the GPU (-1: all). Env: CLUSTERLLM_N_GPU_LAYERS." };
    internal static readonly Option<int> BatchSize = new("--batch-size", "-b") { Description = "Logical batch size. Env: CLUSTERLLM_BATCH_SIZE." };
    internal static readonly Option<int> MicroBatchSize = new("--ubatch-size", "-ub") { Description = "Physical batch size. Env: CLUSTERLLM_UBATCH_SIZE." };
    internal static readonly Option<string> FlashAttention = new("--flash-attn", "-fa") { Description = "Flash attention: auto, on or off. Env: CLUSTERLLM_FLASH_ATTN." };
    internal static readonly Option<string> CacheTypeK = new("--cache-type-k", "-ctk") { Description = "KV cache type for K (f16, q8_0, ...). Env: CLUSTERLLM_CACHE_TYPE_K." };
    internal static readonly Option<string> CacheTypeV = new("--cache-type-v", "-ctv") { Description = "KV cache type for V (f16, q8_0, ...). Env: CLUSTERLLM_CACHE_TYPE_V." };
    internal static readonly Option<int> Threads = new("--threads", "-t") { Description = "CPU threads for decoding. Env: CLUSTERLLM_THREADS." };
    internal static readonly Option<int> MaxQueue = new("--max-queue") { Description = "Requests that may wait for a slot before new ones get 429. Env: CLUSTERLLM_MAX_QUEUE." };
    internal static readonly Option<string> ApiKeyFile = new("--api-key-file") { Description = "File of bearer keys, one per line. Env: CLUSTERLLM_API_KEY_FILE." };
    internal static readonly Option<double> DrainTimeout = new("--drain-timeout") { Description = "Seconds SIGTERM waits for accepted requests (default 30). Env: CLUSTERLLM_DRAIN_TIMEOUT." };
    internal static readonly Option<double> SsePingInterval = new("--sse-ping-interval") { Description = "Seconds of stream silence before a keep-alive comment (default 15). Env: CLUSTERLLM_SSE_PING_INTERVAL." };
    internal static readonly Option<string> Pool = new("--pool") { Description = "InferencePool name, a metric label. Env: CLUSTERLLM_POOL." };
    internal static readonly Option<string> Revision = new("--revision") { Description = "Pool revision, a metric label. Env: CLUSTERLLM_REVISION." };

    public static Command Create()
    {
        var command = new Command("serve", "Serve a GGUF model over an OpenAI-compatible API.");
        foreach (var option in ServeSettingsBinder.Options)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var bound = ServeSettingsBinder.Bind(parseResult, Environment.GetEnvironmentVariable);
            if (!bound.Succeeded)
            {
                foreach (var error in bound.Errors)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync(error).ConfigureAwait(false);
                }
                return 2;
            }
            return await ServeHost.RunAsync(bound.Settings).ConfigureAwait(false);
        });
        return command;
    }

    internal static string EnvironmentVariableOf(Option option)
        => "CLUSTERLLM_" + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    internal static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
