using System.Text;
using System.Text.Json;

namespace ClusterLlm.Runtime.Pull;

/// <summary>
/// Serialises a pull's outcome for the Kubernetes termination log, which the kubelet truncates at
/// 4096 bytes: the message is shrunk (per-file list first, then the model name, then the error text)
/// until it fits, so the operator always receives valid JSON.
/// </summary>
internal static class TerminationMessage
{
    public const int MaxBytes = 4096;

    public static string For(PullResult result)
    {
        var json = Serialize(result);
        if (Fits(json))
        {
            return json;
        }

        result = result with { Files = null };
        json = Serialize(result);
        if (Fits(json) || result.Gguf is null)
        {
            return json;
        }

        return Serialize(result with { Gguf = result.Gguf with { Name = null } });
    }

    public static string For(PullException error)
    {
        var message = error.Message;
        while (true)
        {
            var json = JsonSerializer.Serialize(
                new PullErrorEnvelope(new PullError(error.Failure.ToString(), error.Failure.ExitCode(), error.IsRetryable, message)),
                PullJsonContext.Default.PullErrorEnvelope);
            if (Fits(json) || message.Length == 0)
            {
                return json;
            }

            message = message[..(message.Length * 3 / 4)];
        }
    }

    private static string Serialize(PullResult result) => JsonSerializer.Serialize(result, PullJsonContext.Default.PullResult);

    private static bool Fits(string json) => Encoding.UTF8.GetByteCount(json) <= MaxBytes;
}
