namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaChatTemplateTests
{
    [Test]
    public void Apply_ChatMl_RendersTurnsAndTheAssistantPrefix()
    {
        var text = LlamaChatTemplate.Apply(LlamaChatTemplate.ChatMl, [new("user", "Hi"), new("assistant", "Hello"), new("user", "Bye")], addAssistant: true);

        Assert.That(text, Is.EqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"));
    }

    [Test]
    public void Apply_Llama3Name_UsesThatTemplate()
    {
        var text = LlamaChatTemplate.Apply("llama3", [new("user", "Hi")], addAssistant: true);

        Assert.That(text, Does.Contain("<|start_header_id|>user<|end_header_id|>"));
    }

    [Test]
    public void Apply_UnknownTemplate_ReturnsNull()
    {
        Assert.That(LlamaChatTemplate.Apply("{{ not a template llama.cpp knows }}", [new("user", "Hi")], addAssistant: true), Is.Null);
    }

    [Test]
    public void Apply_LongConversation_GrowsItsBuffer()
    {
        var content = new string('x', 10_000);

        var text = LlamaChatTemplate.Apply(LlamaChatTemplate.ChatMl, [new("user", content)], addAssistant: false);

        Assert.That(text, Is.EqualTo($"<|im_start|>user\n{content}<|im_end|>\n"));
    }
}
