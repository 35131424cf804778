namespace ClusterLlm.LlamaCpp.TestModels;

/// <summary>
/// A temporary folder holding generated test models, written once and deleted on dispose: what a test run's
/// one-time setup needs, so models are generated per run rather than per test.
/// </summary>
public sealed class TestModelFolder : IDisposable
{
    private TestModelFolder(string directory, string vocab, string tiny)
    {
        Directory = directory;
        Vocab = vocab;
        Tiny = tiny;
    }

    public string Directory { get; }

    /// <summary>The vocabulary GGUF the models take their tokenizer from.</summary>
    public string Vocab { get; }

    /// <summary>The tiny preset, seed 1.</summary>
    public string Tiny { get; }

    /// <summary>Writes the tiny model into a new folder under the system's temporary directory.</summary>
    public static TestModelFolder Create(string prefix)
    {
        var vocab = TestModelWriter.FindDefaultVocab()
            ?? throw new InvalidOperationException($"No vocabulary GGUF found: set {TestModelWriter.VocabVariable} or run `make setup`.");
        var directory = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var tiny = Path.Combine(directory, "tiny.gguf");
        TestModelWriter.Write(tiny, TestModelPreset.Tiny, 1, vocab);
        return new TestModelFolder(directory, vocab, tiny);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
