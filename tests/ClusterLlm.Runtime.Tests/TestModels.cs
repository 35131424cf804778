using ClusterLlm.LlamaCpp.TestModels;

namespace ClusterLlm.Runtime.Tests;

/// <summary>Writes the test models once per run into a temporary folder shared by every fixture.</summary>
[SetUpFixture]
public sealed class TestModels
{
    private static TestModelFolder? _folder;

    private static TestModelFolder Folder => _folder ?? throw new InvalidOperationException("The test models are not written yet.");

    /// <summary>The tiny preset, seed 1.</summary>
    public static string Tiny => Folder.Tiny;

    /// <summary>The vocabulary GGUF the models were built from.</summary>
    public static string Vocab => Folder.Vocab;

    public static string Directory => Folder.Directory;

    [OneTimeSetUp]
    public void WriteModels() => _folder = TestModelFolder.Create("clusterllm-runtime-tests");

    [OneTimeTearDown]
    public void DeleteModels() => _folder?.Dispose();
}
