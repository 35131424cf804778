using ClusterLlm.LlamaCpp.TestModels;

namespace ClusterLlm.Runtime.Tests;

/// <summary>Writes the test models once per run into a temporary folder shared by every fixture.</summary>
[SetUpFixture]
public sealed class TestModels
{
    private static string? _directory;

    /// <summary>The tiny preset, seed 1.</summary>
    public static string Tiny { get; private set; } = string.Empty;

    /// <summary>The vocabulary GGUF the models were built from.</summary>
    public static string Vocab { get; private set; } = string.Empty;

    public static string Directory => _directory ?? throw new InvalidOperationException("The test models are not written yet.");

    [OneTimeSetUp]
    public void WriteModels()
    {
        Vocab = TestModelWriter.FindDefaultVocab()
            ?? throw new InvalidOperationException("No vocabulary GGUF found: run `make setup`.");
        _directory = Path.Combine(Path.GetTempPath(), "clusterllm-runtime-tests-" + Guid.NewGuid().ToString("N"));
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
