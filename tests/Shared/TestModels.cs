using ClusterLlm.Gguf.TestModel;

// The namespace every test assembly's namespaces sit under: NUnit runs a SetUpFixture for the tests of its
// own namespace and below, and each assembly that links this file gets its own copy.
namespace ClusterLlm;

/// <summary>Writes the tiny test model once per test run into a temporary folder shared by every fixture.</summary>
[SetUpFixture]
public sealed class TestModels
{
    private static TempDirectory? _directory;
    private static string? _vocab;

    /// <summary>The tiny preset, seed 1.</summary>
    public static string Tiny => Folder.File("tiny.gguf");

    /// <summary>The vocabulary GGUF the models were built from.</summary>
    public static string Vocab => _vocab ?? throw NotWritten();

    public static string Directory => Folder.Path;

    private static TempDirectory Folder => _directory ?? throw NotWritten();

    [OneTimeSetUp]
    public void WriteModels()
    {
        _vocab = TestModelWriter.FindDefaultVocab()
            ?? throw new InvalidOperationException($"No vocabulary GGUF found: set {TestModelWriter.VocabVariable} or run `make setup`.");
        _directory = new TempDirectory();
        TestModelWriter.Write(Tiny, TestModelPreset.Tiny, 1, _vocab);
    }

    [OneTimeTearDown]
    public void DeleteModels() => _directory?.Dispose();

    private static InvalidOperationException NotWritten() => new("The test models are not written yet.");
}
