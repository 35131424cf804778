using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ClusterLlm.Runtime.Serving.Protocol;

/// <summary>
/// Finds where a malformed body breaks, as a JSON path (<c>$.messages[0].content</c>), so the error's
/// <c>param</c> points at it. Runs only after a parse has failed.
/// </summary>
internal static class JsonErrorLocator
{
    public static string Locate(ReadOnlySequence<byte> body)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1] = frames[^1] with { Property = Decode(ref reader) };
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        ValueDone(frames);
                        break;
                    default:
                        Advance(frames);
                        ValueDone(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return PathOf(frames);
        }
        return PathOf(frames);
    }

    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    /// <summary>After an object member's value, the path no longer points into that member.</summary>
    private static void ValueDone(List<Frame> frames)
    {
        if (frames.Count > 0 && !frames[^1].IsArray)
        {
            frames[^1] = frames[^1] with { Property = null };
        }
    }

    private static string? Decode(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder("$");
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    path.Append('[').Append(frame.Index).Append(']');
                }
            }
            else if (frame.Property is { } property)
            {
                path.Append('.').Append(property);
            }
        }
        return path.ToString();
    }

    private readonly record struct Frame(bool IsArray, int Index, string? Property);
}
