using System.CommandLine;
using System.Text.Json;
using ClusterLlm.Runtime.Inspect;

namespace ClusterLlm.Runtime.Tests.Inspect;

public sealed class InspectCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await new RootCommand { InspectCommand.Create() }.Parse(["inspect", .. args]).InvokeAsync();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [Test]
    public async Task Invoke_TestModel_PrintsFactsAndEstimate()
    {
        var (code, text, _) = await RunAsync(TestModels.Tiny, "--ctx-size", "2048", "--parallel", "2");

        Assert.That(code, Is.Zero);
        Assert.That(text, Does.Contain("architecture    llama"));
        Assert.That(text, Does.Contain("vocabulary      32000"));
        Assert.That(text, Does.Contain("memory estimate: context 2048 x 2 slot(s) (4096 KV cells)"));
        Assert.That(text, Does.Match(@"KV cache\s+1.0MiB"), "2 layers x 4096 cells x 2 KV heads x 16 x 2 (K and V) x 2 bytes");
    }

    [Test]
    public async Task Invoke_Json_IsParseableWithFactsAndEstimate()
    {
        var (code, text, _) = await RunAsync(TestModels.Tiny, "--json", "--cache-type-k", "f32", "--gpu-layers", "1");

        Assert.That(code, Is.Zero);
        using var json = JsonDocument.Parse(text);
        Assert.That(json.RootElement.GetProperty("gguf").GetProperty("layers").GetInt32(), Is.EqualTo(2));
        Assert.That(json.RootElement.GetProperty("settings").GetProperty("cacheTypeK").GetString(), Is.EqualTo("F32"));
        Assert.That(json.RootElement.GetProperty("estimate").GetProperty("offloadedLayers").GetInt32(), Is.EqualTo(1));
        Assert.That(json.RootElement.GetProperty("estimate").GetProperty("device").GetProperty("weights").GetInt64(), Is.GreaterThan(0));
    }

    [TestCase("--cache-type-v", "q9", "--cache-type-v: unknown cache type")]
    [TestCase("--parallel", "0", "--parallel: parallelSlots must be between 1 and 256")]
    public async Task Invoke_BadSetting_ExitsTwoNamingTheOption(string option, string value, string message)
    {
        var (code, _, error) = await RunAsync(TestModels.Tiny, option, value);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith(message));
    }

    [Test]
    public async Task Invoke_NotAGguf_ExitsOneWithTheReadersMessage()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("x.gguf"), "hello");

        var (code, _, error) = await RunAsync(dir.File("x.gguf"));

        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("x.gguf: not a GGUF file"));
    }
}
