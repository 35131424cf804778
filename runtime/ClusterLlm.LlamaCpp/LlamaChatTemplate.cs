using System.Runtime.InteropServices;
using System.Text;
using ClusterLlm.LlamaCpp.Native;

namespace ClusterLlm.LlamaCpp;

/// <summary>One chat turn for <see cref="LlamaChatTemplate.Apply"/>.</summary>
public sealed record LlamaChatTurn(string Role, string Content);

/// <summary>
/// llama.cpp's built-in chat template engine (<c>llama_chat_apply_template</c>). It recognises the common
/// templates by their Jinja source or by name (<c>chatml</c>, <c>llama3</c>, ...), without running Jinja.
/// </summary>
public static class LlamaChatTemplate
{
    /// <summary>The template used when a model has none.</summary>
    public const string ChatMl = "chatml";

    /// <summary>
    /// Formats <paramref name="turns"/> with <paramref name="template"/> (Jinja source or a built-in name), appending the
    /// assistant prefix when <paramref name="addAssistant"/> is set. Returns <see langword="null"/> when llama.cpp does
    /// not recognise the template.
    /// </summary>
    public static unsafe string? Apply(string template, IReadOnlyList<LlamaChatTurn> turns, bool addAssistant)
    {
        ArgumentException.ThrowIfNullOrEmpty(template);
        ArgumentNullException.ThrowIfNull(turns);

        var strings = new List<IntPtr>(turns.Count * 2 + 1);
        try
        {
            var templatePointer = Utf8(template, strings);
            var messages = new LlamaChatMessage[turns.Count];
            var total = 0;
            for (var i = 0; i < turns.Count; i++)
            {
                messages[i] = new LlamaChatMessage { role = Utf8(turns[i].Role, strings), content = Utf8(turns[i].Content, strings) };
                total += turns[i].Role.Length + turns[i].Content.Length;
            }

            var capacity = Math.Max(256, total * 2 + 256);
            while (true)
            {
                var buffer = new byte[capacity];
                fixed (LlamaChatMessage* chat = messages)
                fixed (byte* output = buffer)
                {
                    var length = LlamaNative.llama_chat_apply_template((byte*)templatePointer, chat, (nuint)messages.Length, addAssistant, output, buffer.Length);
                    if (length < 0)
                    {
                        return null;
                    }
                    if (length <= buffer.Length)
                    {
                        return Encoding.UTF8.GetString(buffer, 0, length);
                    }
                    capacity = length;
                }
            }
        }
        finally
        {
            foreach (var pointer in strings)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private static IntPtr Utf8(string text, List<IntPtr> owned)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(text);
        owned.Add(pointer);
        return pointer;
    }
}
