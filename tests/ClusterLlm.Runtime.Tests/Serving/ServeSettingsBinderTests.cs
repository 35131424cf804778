using ClusterLlm.Runtime.Serving;

namespace ClusterLlm.Runtime.Tests.Serving;

public sealed class ServeSettingsBinderTests
{
    private string _model = null!;

    [SetUp]
    public void SetUp() => _model = Path.GetTempFileName();

    [TearDown]
    public void TearDown() => File.Delete(_model);

    private static ServeSettingsBinder.Result Bind(string[] args, Dictionary<string, string>? environment = null)
    {
        var command = ServeCommand.Create();
        var parse = command.Parse(args);
        Assert.That(parse.Errors, Is.Empty);
        return ServeSettingsBinder.Bind(parse, name => environment?.GetValueOrDefault(name));
    }

    [Test]
    public void Bind_FlagsOnly_MapsEveryFlag()
    {
        var result = Bind(["--model", _model, "--alias", "m", "--host", "127.0.0.1", "--port", "9000", "--ctx-size", "8192", "--parallel", "8",
            "--n-gpu-layers", "10", "--batch-size", "1024", "--ubatch-size", "256", "--flash-attn", "on", "--cache-type-k", "q8_0",
            "--cache-type-v", "Q4_0", "--threads", "3", "--max-queue", "5", "--drain-timeout", "12.5", "--sse-ping-interval", "2",
            "--pool", "p", "--revision", "r"]);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Settings, Is.EqualTo(new ServeSettings
        {
            ModelPath = _model,
            Alias = "m",
            Host = "127.0.0.1",
            Port = 9000,
            ContextSize = 8192,
            Parallel = 8,
            GpuLayers = 10,
            BatchSize = 1024,
            MicroBatchSize = 256,
            FlashAttention = "on",
            CacheTypeK = "q8_0",
            CacheTypeV = "q4_0",
            Threads = 3,
            MaxQueue = 5,
            DrainTimeout = TimeSpan.FromSeconds(12.5),
            SsePingInterval = TimeSpan.FromSeconds(2),
            Pool = "p",
            Revision = "r",
        }));
    }

    [Test]
    public void Bind_EnvironmentOnly_UsesClusterLlmVariables()
    {
        var result = Bind([], new()
        {
            ["CLUSTERLLM_MODEL"] = _model,
            ["CLUSTERLLM_PARALLEL"] = "6",
            ["CLUSTERLLM_POOL"] = "pool-a",
            ["CLUSTERLLM_REVISION"] = "7",
            ["CLUSTERLLM_N_GPU_LAYERS"] = "-1",
            ["CLUSTERLLM_CACHE_TYPE_K"] = "f16",
        });

        Assert.That(result.Errors, Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(result.Settings.ModelPath, Is.EqualTo(_model));
            Assert.That(result.Settings.Parallel, Is.EqualTo(6));
            Assert.That(result.Settings.Pool, Is.EqualTo("pool-a"));
            Assert.That(result.Settings.Revision, Is.EqualTo("7"));
            Assert.That(result.Settings.GpuLayers, Is.EqualTo(-1));
            Assert.That(result.Settings.CacheTypeK, Is.EqualTo("f16"));
            Assert.That(result.Settings.Port, Is.EqualTo(8080));
            Assert.That(result.Settings.EffectiveAlias, Is.EqualTo(Path.GetFileNameWithoutExtension(_model)));
        });
    }

    [Test]
    public void Bind_FlagAndVariable_FlagWins()
    {
        var result = Bind(["--model", _model, "--port", "7000"], new() { ["CLUSTERLLM_PORT"] = "9999", ["CLUSTERLLM_MODEL"] = "/nowhere" });

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Settings.Port, Is.EqualTo(7000));
        Assert.That(result.Settings.ModelPath, Is.EqualTo(_model));
    }

    [Test]
    public void Bind_BadValues_ReportsEveryOneByName()
    {
        var result = Bind(["--parallel", "0", "--flash-attn", "maybe"], new()
        {
            ["CLUSTERLLM_PORT"] = "http",
            ["CLUSTERLLM_CACHE_TYPE_V"] = "f8",
            ["CLUSTERLLM_DRAIN_TIMEOUT"] = "-3",
        });

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Errors, Has.Some.Contains("--model (or CLUSTERLLM_MODEL) is required"));
        Assert.That(result.Errors, Has.Some.StartsWith("--parallel: '0'"));
        Assert.That(result.Errors, Has.Some.StartsWith("--flash-attn: 'maybe'"));
        Assert.That(result.Errors, Has.Some.StartsWith("CLUSTERLLM_PORT: 'http'"));
        Assert.That(result.Errors, Has.Some.StartsWith("CLUSTERLLM_CACHE_TYPE_V: 'f8'"));
        Assert.That(result.Errors, Has.Some.StartsWith("CLUSTERLLM_DRAIN_TIMEOUT: '-3'"));
    }

    [Test]
    public void Bind_MissingModelFile_NamesTheFlag()
    {
        var result = Bind(["--model", "/no/such/model.gguf"]);

        Assert.That(result.Errors, Has.One.Contains("--model: '/no/such/model.gguf' does not exist"));
    }

    [Test]
    public void Bind_MicroBatchAboveBatch_IsRejected()
    {
        var result = Bind(["--model", _model, "--batch-size", "128", "--ubatch-size", "512"]);

        Assert.That(result.Errors, Has.One.Contains("--ubatch-size"));
    }
}
