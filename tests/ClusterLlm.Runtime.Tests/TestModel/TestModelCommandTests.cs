using System.CommandLine;
using ClusterLlm.Gguf.TestModel;
using ClusterLlm.LlamaCpp;
using ClusterLlm.Runtime.TestModel;

namespace ClusterLlm.Runtime.Tests.TestModel;

public sealed class TestModelCommandTests
{
    [Test]
    public async Task Invoke_TinyPresetAndSeed_WritesTheSameFileAsTheWriter()
    {
        var path = Path.Combine(TestModels.Directory, "cli-tiny.gguf");

        var exit = await Invoke($"testmodel --out {path} --preset tiny --seed 1 --vocab {TestModels.Vocab}");

        Assert.That(exit, Is.Zero);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(File.ReadAllBytes(TestModels.Tiny)));
        using var model = LlamaModel.Load(path);
        Assert.That(model.LayerCount, Is.EqualTo(TestModelPreset.Tiny.LayerCount));
    }

    [Test]
    public async Task Invoke_UnknownPreset_IsRejected()
    {
        var exit = await Invoke($"testmodel --out {Path.Combine(TestModels.Directory, "x.gguf")} --preset huge");

        Assert.That(exit, Is.Not.Zero);
    }

    [Test]
    public async Task Invoke_MissingVocab_FailsNamingTheOption()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exit;
        try
        {
            exit = await Invoke($"testmodel --out {Path.Combine(TestModels.Directory, "y.gguf")} --vocab {Path.Combine(TestModels.Directory, "no-vocab.gguf")}");
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.StartWith("--vocab"));
    }

    private static Task<int> Invoke(string commandLine)
    {
        var root = new RootCommand { TestModelCommand.Create() };
        return root.Parse(commandLine).InvokeAsync();
    }
}
