using System.Text.Json;
using ClusterLlm.Runtime.Scheduling;
using ClusterLlm.Runtime.Serving.Protocol;
using Microsoft.Extensions.Options;

namespace ClusterLlm.Runtime.Serving;

/// <summary><c>POST /tokenize</c> and <c>POST /detokenize</c>, shaped as llama-server's.</summary>
internal sealed class TokenizerEndpoints(IInferenceEngine engine, IOptions<ServerOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task TokenizeAsync(HttpContext http)
    {
        var (document, error) = await RequestBodyReader.ReadJsonAsync(http.Request, _limit, http.RequestAborted).ConfigureAwait(false);
        using (document)
        {
            var parsed = error is null ? CompletionRequestParser.ParseTokenize(document!.RootElement) : error;
            if (!parsed.Succeeded)
            {
                await ErrorResponses.WriteAsync(http, parsed.Error).ConfigureAwait(false);
                return;
            }
            var tokens = engine.Tokenize(parsed.Value.Content, parsed.Value.AddSpecial, parsed.Value.ParseSpecial);
            await JsonResponses.WriteAsync(http, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("tokens");
                foreach (var token in tokens)
                {
                    json.WriteNumberValue(token);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }

    public async Task DetokenizeAsync(HttpContext http)
    {
        var (document, error) = await RequestBodyReader.ReadJsonAsync(http.Request, _limit, http.RequestAborted).ConfigureAwait(false);
        using (document)
        {
            var parsed = error is null ? CompletionRequestParser.ParseDetokenize(document!.RootElement, engine.VocabularySize) : error;
            if (!parsed.Succeeded)
            {
                await ErrorResponses.WriteAsync(http, parsed.Error).ConfigureAwait(false);
                return;
            }
            var content = engine.Detokenize(parsed.Value.Tokens);
            await JsonResponses.WriteAsync(http, json =>
            {
                json.WriteStartObject();
                json.WriteString("content", content);
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
    }
}
