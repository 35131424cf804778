using System.CommandLine;

namespace ClusterLlm.Runtime.TestModel;

/// <summary><c>clusterllm-runtime testmodel</c>: writes a random-weight llama GGUF with a real tokenizer.</summary>
internal static class TestModelCommand
{
    /// <summary>Overrides where the tokenizer vocabulary comes from.</summary>
    public const string VocabVariable = "CLUSTERLLM_VOCAB";

    /// <summary>llama.cpp's LLaMA SentencePiece vocabulary (32000 tokens, byte fallback): the llama architecture's own tokenizer.</summary>
    public const string DefaultVocabFile = "ggml-vocab-llama-spm.gguf";

    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Path of the GGUF file to write.", Required = true };
        var preset = new Option<string>("--preset")
        {
            Description = "Model shape: tiny (a few MB, for tests), small (~40 MB) or bench (~400 MB, memory-bound decode).",
            DefaultValueFactory = _ => TestModelPreset.Tiny.Name,
        };
        preset.AcceptOnlyFromAmong([.. TestModelPreset.All.Select(p => p.Name)]);
        var seed = new Option<ulong>("--seed") { Description = "Seed for the weights; the same seed writes a byte-identical file.", DefaultValueFactory = _ => 1 };
        var vocab = new Option<FileInfo?>("--vocab")
        {
            Description = $"Vocabulary GGUF to copy the tokenizer from (default: ${VocabVariable}, else .deps/llama/src/models/{DefaultVocabFile} above the current or program folder).",
        };

        var command = new Command("testmodel", "Write a llama-architecture GGUF with a real tokenizer vocabulary and deterministic random weights.")
        {
            output, preset, seed, vocab,
        };
        command.SetAction(result =>
        {
            var vocabPath = result.GetValue(vocab)?.FullName ?? FindDefaultVocab();
            if (vocabPath is null || !File.Exists(vocabPath))
            {
                Console.Error.WriteLine(
                    $"--vocab: no vocabulary GGUF found{(vocabPath is null ? string.Empty : $" at {vocabPath}")}. Pass --vocab, set {VocabVariable}, or run `make setup`.");
                return 2;
            }
            var chosen = TestModelPreset.Find(result.GetRequiredValue(preset))!;
            var path = result.GetRequiredValue(output).FullName;
            TestModelWriter.Write(path, chosen, result.GetValue(seed), vocabPath);
            Console.WriteLine($"wrote {path} ({chosen.Name}, {new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB)");
            return 0;
        });
        return command;
    }

    /// <summary><c>$CLUSTERLLM_VOCAB</c>, else the pinned llama.cpp source's vocabulary found above the working or program folder.</summary>
    public static string? FindDefaultVocab()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(VocabVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, ".deps", "llama", "src", "models", DefaultVocabFile);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
