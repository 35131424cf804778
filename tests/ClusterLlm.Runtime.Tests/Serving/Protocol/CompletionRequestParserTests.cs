using System.Buffers;
using System.Text;
using System.Text.Json;
using ClusterLlm.Runtime.Serving.Protocol;

namespace ClusterLlm.Runtime.Tests.Serving.Protocol;

public sealed class CompletionRequestParserTests
{
    private static ParseResult<ChatCompletionRequest> Chat(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CompletionRequestParser.ParseChat(document.RootElement);
    }

    private static ParseResult<TextCompletionRequest> Completion(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CompletionRequestParser.ParseCompletion(document.RootElement);
    }

    [Test]
    public void ParseChat_FullRequest_MapsEveryParameter()
    {
        var result = Chat("""
            {"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}],
             "max_completion_tokens":12,"temperature":0.5,"top_p":0.9,"top_k":7,"min_p":0.1,"presence_penalty":0.25,"frequency_penalty":-0.5,
             "repeat_penalty":1.1,"seed":42,"logit_bias":{"15":-100,"7":2.5},"stop":["a","bc"],"stream":true,"stream_options":{"include_usage":true},
             "response_format":{"type":"json_object"},"ignore_eos":true,"user":"ignored"}
            """);

        Assert.That(result.Succeeded, Is.True, () => result.Error!.Message);
        var request = result.Value!;
        Assert.That(request.Messages.Select(m => (m.Role, m.Content)), Is.EqualTo(new[] { ("system", "be brief"), ("user", "hi there") }));
        var p = request.Parameters;
        Assert.Multiple(() =>
        {
            Assert.That(p.Model, Is.EqualTo("m"));
            Assert.That(p.MaxTokens, Is.EqualTo(12));
            Assert.That(p.MaxTokensParam, Is.EqualTo("max_completion_tokens"));
            Assert.That(p.Sampling.Temperature, Is.EqualTo(0.5f));
            Assert.That(p.Sampling.TopP, Is.EqualTo(0.9f));
            Assert.That(p.Sampling.TopK, Is.EqualTo(7));
            Assert.That(p.Sampling.MinP, Is.EqualTo(0.1f));
            Assert.That(p.Sampling.PresencePenalty, Is.EqualTo(0.25f));
            Assert.That(p.Sampling.FrequencyPenalty, Is.EqualTo(-0.5f));
            Assert.That(p.Sampling.RepeatPenalty, Is.EqualTo(1.1f));
            Assert.That(p.Sampling.Seed, Is.EqualTo(42u));
            Assert.That(p.Sampling.LogitBias, Is.EquivalentTo(new Dictionary<int, float> { [15] = -100f, [7] = 2.5f }));
            Assert.That(p.Sampling.JsonObject, Is.True);
            Assert.That(p.Stop, Is.EqualTo(new[] { "a", "bc" }));
            Assert.That(p.Stream, Is.True);
            Assert.That(p.IncludeUsage, Is.True);
            Assert.That(p.IgnoreEos, Is.True);
        });
    }

    [Test]
    public void ParseChat_MinimalRequest_UsesLlamaServerDefaults()
    {
        var result = Chat("""{"messages":[{"role":"user","content":"x"}],"stop":"END","max_tokens":5}""");

        Assert.That(result.Succeeded, Is.True);
        var p = result.Value!.Parameters;
        Assert.Multiple(() =>
        {
            Assert.That(p.Model, Is.Null);
            Assert.That(p.MaxTokens, Is.EqualTo(5));
            Assert.That(p.MaxTokensParam, Is.EqualTo("max_tokens"));
            Assert.That(p.Stop, Is.EqualTo(new[] { "END" }));
            Assert.That(p.Sampling, Is.EqualTo(new ClusterLlm.Runtime.Scheduling.SamplingOptions { LogitBias = p.Sampling.LogitBias }));
            Assert.That(p.Stream, Is.False);
        });
    }

    [TestCase("""[1,2]""", "body")]
    [TestCase("""{}""", "messages")]
    [TestCase("""{"messages":"hi"}""", "messages")]
    [TestCase("""{"messages":[]}""", "messages")]
    [TestCase("""{"messages":[42]}""", "messages[0]")]
    [TestCase("""{"messages":[{"content":"x"}]}""", "messages[0].role")]
    [TestCase("""{"messages":[{"role":"wizard","content":"x"}]}""", "messages[0].role")]
    [TestCase("""{"messages":[{"role":"user","content":"x"},{"role":7,"content":"x"}]}""", "messages[1].role")]
    [TestCase("""{"messages":[{"role":"user"}]}""", "messages[0].content")]
    [TestCase("""{"messages":[{"role":"user","content":5}]}""", "messages[0].content")]
    [TestCase("""{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "messages[0].content[0].type")]
    [TestCase("""{"messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages[0].content[0].text")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"model":3}""", "model")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_tokens":-1}""", "max_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_tokens":1e30}""", "max_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_tokens":2.5}""", "max_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_tokens":"10"}""", "max_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"max_completion_tokens":99999999999}""", "max_completion_tokens")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"temperature":3}""", "temperature")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"temperature":"hot"}""", "temperature")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"top_p":1.5}""", "top_p")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"top_k":-3}""", "top_k")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"min_p":-0.1}""", "min_p")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"presence_penalty":9}""", "presence_penalty")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"frequency_penalty":-9}""", "frequency_penalty")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"seed":"abc"}""", "seed")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"n":2}""", "n")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}""", "stream_options")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":1}}""", "stream_options.include_usage")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stop":5}""", "stop")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stop":""}""", "stop")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stop":["a",1]}""", "stop[1]")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}""", "stop")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logit_bias":[1]}""", "logit_bias")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logit_bias":{"abc":1}}""", "logit_bias")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logit_bias":{"-4":1}}""", "logit_bias")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logit_bias":{"4":500}}""", "logit_bias.4")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logit_bias":{"4":"up"}}""", "logit_bias.4")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"response_format":"json"}""", "response_format")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}}""", "response_format.type")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"response_format":{}}""", "response_format.type")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"ignore_eos":"true"}""", "ignore_eos")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"logprobs":true}""", "logprobs")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}""", "tools")]
    public void ParseChat_InvalidParameter_NamesIt(string json, string param)
    {
        var result = Chat(json);

        Assert.That(result.Succeeded, Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(result.Error!.Status, Is.EqualTo(400));
            Assert.That(result.Error.Param, Is.EqualTo(param));
            Assert.That(result.Error.Type, Is.EqualTo("invalid_request_error"));
            Assert.That(result.Error.Message, Does.Contain(param.Split('[', '.')[0]));
        });
    }

    [TestCase("""{"prompt":"once upon"}""", "once upon")]
    [TestCase("""{"prompt":["only one"]}""", "only one")]
    [TestCase("""{"prompt":""}""", "")]
    public void ParseCompletion_Prompt_IsTakenVerbatim(string json, string prompt)
    {
        var result = Completion(json);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Value!.Prompt, Is.EqualTo(prompt));
    }

    [TestCase("""{}""", "prompt")]
    [TestCase("""{"prompt":5}""", "prompt")]
    [TestCase("""{"prompt":["a","b"]}""", "prompt")]
    [TestCase("""{"prompt":[1,2,3]}""", "prompt")]
    [TestCase("""{"prompt":"x","echo":true}""", "echo")]
    [TestCase("""{"prompt":"x","suffix":"y"}""", "suffix")]
    [TestCase("""{"prompt":"x","best_of":3}""", "best_of")]
    [TestCase("""{"prompt":"x","max_tokens":-5}""", "max_tokens")]
    public void ParseCompletion_InvalidParameter_NamesIt(string json, string param)
    {
        var result = Completion(json);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Param, Is.EqualTo(param));
    }

    [Test]
    public void ParseDetokenize_TokenOutsideVocabulary_NamesIt()
    {
        using var document = JsonDocument.Parse("""{"tokens":[1,2,32000]}""");

        var result = CompletionRequestParser.ParseDetokenize(document.RootElement, vocabularySize: 32000);

        Assert.That(result.Error?.Param, Is.EqualTo("tokens[2]"));
    }

    [Test]
    public void ParseTokenize_Defaults_MatchLlamaServer()
    {
        using var document = JsonDocument.Parse("""{"content":"hello"}""");

        var result = CompletionRequestParser.ParseTokenize(document.RootElement);

        Assert.That(result.Value, Is.EqualTo(new TokenizeRequest("hello", AddSpecial: false, ParseSpecial: true)));
    }

    [Test]
    public void Parse_InvalidUtf8InString_IsRejected()
    {
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"ab"}]}""");
        var at = body.AsSpan().IndexOf("ab\""u8);
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        var sequence = new ReadOnlySequence<byte>(body);
        var error = Assert.Throws<JsonException>(() => RequestBodyReader.Parse(sequence));
        Assert.That(RequestBodyReader.ParamOf(error!.Path ?? JsonErrorLocator.Locate(sequence)), Is.EqualTo("messages[0].content"));
    }

    [TestCase("""{"messages":[{"role":"user","content":"x"]}""", "messages[0]")]
    [TestCase("""{"messages":[{"role":"user","content":"x"}],"temperature":}""", "temperature")]
    [TestCase("""{"a":1,""", null)]
    [TestCase("""not json""", null)]
    public void Locate_MalformedJson_PointsAtTheBreak(string json, string? param)
    {
        var path = JsonErrorLocator.Locate(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));

        Assert.That(RequestBodyReader.ParamOf(path), Is.EqualTo(param));
    }

    [Test]
    public void Parse_EmptyBody_IsRejected()
    {
        Assert.That(() => RequestBodyReader.Parse(ReadOnlySequence<byte>.Empty), Throws.InstanceOf<JsonException>());
    }

    [TestCase("$.messages[0].content", "messages[0].content")]
    [TestCase("$", null)]
    [TestCase(null, null)]
    public void ParamOf_JsonPath_DropsTheRoot(string? path, string? param)
    {
        Assert.That(RequestBodyReader.ParamOf(path), Is.EqualTo(param));
    }
}
