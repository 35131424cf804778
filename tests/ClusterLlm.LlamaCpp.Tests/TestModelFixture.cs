using ClusterLlm.LlamaCpp.TestModels;

namespace ClusterLlm.LlamaCpp.Tests;

/// <summary>Writes the tiny test model once per run into a temporary folder.</summary>
[SetUpFixture]
public sealed class TestModelFixture
{
    private static string? _directory;

    public static string Tiny { get; private set; } = string.Empty;

    public static string Vocab { get; private set; } = string.Empty;

    public static string Directory => _directory ?? throw new InvalidOperationException("The test models are not written yet.");

    [OneTimeSetUp]
    public void WriteModels()
    {
        Vocab = TestModelWriter.FindDefaultVocab() ?? throw new InvalidOperationException("No vocabulary GGUF found: run `make setup`.");
        _directory = Path.Combine(Path.GetTempPath(), "clusterllm-llamacpp-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(_directory);
        Tiny = Path.Combine(_directory, "tiny.gguf");
        TestModelWriter.Write(Tiny, TestModelPreset.Tiny, 1, Vocab);
    }

    [OneTimeTearDown]
    public void DeleteModels()
    {
        if (_directory is not null && System.IO.Directory.Exists(_directory))
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }
}
