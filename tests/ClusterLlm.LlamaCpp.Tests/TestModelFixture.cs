using ClusterLlm.LlamaCpp.TestModels;

namespace ClusterLlm.LlamaCpp.Tests;

/// <summary>Writes the tiny test model once per run into a temporary folder.</summary>
[SetUpFixture]
public sealed class TestModelFixture
{
    private static TestModelFolder? _folder;

    private static TestModelFolder Folder => _folder ?? throw new InvalidOperationException("The test models are not written yet.");

    public static string Tiny => Folder.Tiny;

    public static string Vocab => Folder.Vocab;

    public static string Directory => Folder.Directory;

    [OneTimeSetUp]
    public void WriteModels() => _folder = TestModelFolder.Create("clusterllm-llamacpp-tests");

    [OneTimeTearDown]
    public void DeleteModels() => _folder?.Dispose();
}
