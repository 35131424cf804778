using System.CommandLine;
using ClusterLlm.Gguf;
using ClusterLlm.Gguf.TestModel;

namespace ClusterLlm.Runtime.TestModel;

/// <summary><c>clusterllm-runtime testmodel</c>: writes a random-weight llama GGUF with a real tokenizer.</summary>
internal static class TestModelCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Path of the GGUF file to write.", Required = true };
        var preset = new Option<string>("--preset")
        {
            Description = "Model shape: tiny (a few MB, for tests), small (~38 MiB) or bench (~317 MiB of Q8_0 matrices, memory-bound decode).",
            DefaultValueFactory = _ => TestModelPreset.Tiny.Name,
        };
        preset.AcceptOnlyFromAmong([.. TestModelPreset.All.Select(p => p.Name)]);
        var seed = new Option<ulong>("--seed") { Description = "Seed for the weights; the same seed writes a byte-identical file.", DefaultValueFactory = _ => 1 };
        var vocab = new Option<FileInfo?>("--vocab")
        {
            Description = $"Vocabulary GGUF to copy the tokenizer from (default: ${TestModelWriter.VocabVariable}, else .deps/llama/src/models/{TestModelWriter.DefaultVocabFile} above the current or program folder).",
        };

        var command = new Command("testmodel", "Write a llama-architecture GGUF with a real tokenizer vocabulary and deterministic random weights.")
        {
            output, preset, seed, vocab,
        };
        command.SetAction(result =>
        {
            var vocabPath = result.GetValue(vocab)?.FullName ?? TestModelWriter.FindDefaultVocab();
            if (vocabPath is null || !File.Exists(vocabPath))
            {
                Console.Error.WriteLine(
                    $"--vocab: no vocabulary GGUF found{(vocabPath is null ? string.Empty : $" at {vocabPath}")}. Pass --vocab, set {TestModelWriter.VocabVariable}, or run `make setup`.");
                return 2;
            }
            var chosen = TestModelPreset.Find(result.GetRequiredValue(preset))!;
            var path = result.GetRequiredValue(output).FullName;
            try
            {
                TestModelWriter.Write(path, chosen, result.GetValue(seed), vocabPath);
            }
            catch (Exception exception) when (exception is InvalidDataException or GgufFormatException)
            {
                Console.Error.WriteLine($"--vocab: {exception.Message}");
                return 2;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"--out: cannot write {path}: {exception.Message}");
                return 1;
            }
            Console.WriteLine($"wrote {path} ({chosen.Name}, {new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB)");
            return 0;
        });
        return command;
    }
}
