using System.Security.Cryptography;
using ClusterLlm.Gguf;
using ClusterLlm.Runtime.Pull;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterLlm.Runtime.Tests.Pull;

/// <summary>The real pull services with fast retries and short timeouts, pulling into a temporary folder.</summary>
internal sealed class PullHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly TempDirectory directory = new();

    public PullHarness(Action<PullOptions>? configure = null, IFreeSpaceProvider? freeSpace = null)
    {
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton(new PullConsole(progressBar: null));
        if (freeSpace is not null)
        {
            services.AddSingleton(freeSpace);
        }

        services.AddModelPull(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
            o.ReadTimeout = TimeSpan.FromSeconds(10);
            o.BufferSize = 64 * 1024;
            configure?.Invoke(o);
        });
        provider = services.BuildServiceProvider();
    }

    public string Destination => directory.Path;

    public ModelPuller Puller => provider.GetRequiredService<ModelPuller>();

    public ModelSourceResolver Resolver => provider.GetRequiredService<ModelSourceResolver>();

    public ModelDownloader Downloader => provider.GetRequiredService<ModelDownloader>();

    public Task<PullResult> PullAsync(string source, params string[] sha256) =>
        Puller.PullAsync(new PullRequest(source, Destination, sha256), CancellationToken.None);

    public string[] FilesLeft() => Directory.GetFiles(Destination).Select(Path.GetFileName).ToArray()!;

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        directory.Dispose();
    }

    /// <summary>A valid GGUF of about <paramref name="bytes"/> bytes with varied content.</summary>
    public static byte[] Model(int bytes = 600_000, int splitNo = -1, int splitCount = 0)
    {
        var writer = new GgufWriter().AddString("general.architecture", "llama").AddUInt32("llama.block_count", 1);
        if (splitCount > 0)
        {
            writer.Add("split.no", GgufValueType.UInt16, (ushort)splitNo).Add("split.count", GgufValueType.UInt16, (ushort)splitCount);
        }

        var elements = bytes / 4 / 64 * 64;
        writer.AddTensor($"blk.0.w{splitNo}", [elements], GgmlType.F32, stream =>
        {
            var data = new byte[elements * 4];
            new Random(elements + splitNo).NextBytes(data);
            stream.Write(data);
        });
        using var output = new MemoryStream();
        writer.WriteTo(output);
        return output.ToArray();
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
