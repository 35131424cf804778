using System.Text.Json.Nodes;
using ClusterLlm.Sandbox.Api;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.Patching;

/// <summary>How a write updates <c>metadata.managedFields</c>.</summary>
internal enum FieldOperation
{
    /// <summary>A create, update or non-apply patch: the manager takes the fields it changed.</summary>
    Update,

    /// <summary>Server-side apply already recorded the manager's fields.</summary>
    AlreadyManaged,
}

/// <summary>
/// Server-side apply and field ownership, after structured-merge-diff: each manager owns a set of
/// field paths; an apply merges its configuration, removes fields it stopped applying that nobody
/// else owns, and conflicts (409) when it would change a value another manager owns, unless forced.
/// Updates give the changed fields to their manager and take them from the others.
/// </summary>
internal static class FieldManager
{
    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject applied, string manager, bool force, DateTimeOffset now, string? subresource)
    {
        if (applied["apiVersion"]?.GetValue<string>() is not { Length: > 0 } || applied["kind"]?.GetValue<string>() is not { Length: > 0 })
        {
            throw ApiException.BadRequest("apiVersion and kind must be set in an apply configuration");
        }

        if (ObjectMeta.Of(applied)["managedFields"] is not null)
        {
            throw ApiException.BadRequest("metadata.managedFields must be nil");
        }

        var entries = live is null ? [] : Entries(live);
        var ownIndex = entries.FindIndex(e => e.Manager == manager && e.Operation == "Apply" && e.Subresource == subresource);
        var previous = ownIndex >= 0 ? entries[ownIndex].Fields : FieldSet.Empty;
        var desired = FieldSet.Of(type, applied, subresource);

        var result = live is null ? new JsonObject() : (JsonObject)live.DeepClone();
        var conflicts = new List<(ManagedEntry Entry, string Path)>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (i == ownIndex)
            {
                continue;
            }

            var entry = entries[i];
            var contested = desired.Paths.Where(p => entry.Fields.Contains(p) && !JsonNode.DeepEquals(FieldSet.Get(live, p), FieldSet.Get(applied, p))).ToList();
            if (contested.Count == 0)
            {
                continue;
            }

            if (force)
            {
                entries[i] = entry with { Fields = entry.Fields.Except(contested) };
            }
            else
            {
                conflicts.AddRange(contested.Select(p => (entry, p)));
            }
        }

        if (conflicts.Count > 0)
        {
            throw Conflict(conflicts);
        }

        var merged = (JsonObject)MergeApplied(type, result, applied, [])!;
        var others = entries.Where((_, i) => i != ownIndex).ToList();
        foreach (var path in previous.Paths.Except(desired.Paths).OrderByDescending(p => p.Length))
        {
            var owner = path.EndsWith("\n.", StringComparison.Ordinal) ? path[..^2] : path;
            if (!others.Any(e => e.Fields.HasUnder(owner)) && !desired.HasUnder(owner))
            {
                FieldSet.Remove(merged, path);
            }
        }

        Upsert(entries, ownIndex, new ManagedEntry(manager, "Apply", type.ApiVersion, ObjectMeta.Timestamp(now), subresource, desired));
        Write(merged, entries);
        return merged;
    }

    /// <summary>Gives the fields an update changed to <paramref name="manager"/>, taking them from every other manager.</summary>
    public static void RecordUpdate(ResourceType type, JsonObject? before, JsonObject after, string manager, string? subresource, DateTimeOffset now)
    {
        var entries = before is null ? [] : Entries(before);
        var oldFields = before is null ? FieldSet.Empty : FieldSet.Of(type, before, subresource);
        var newFields = FieldSet.Of(type, after, subresource);
        var changed = newFields.Paths.Where(p => !oldFields.Contains(p) || !JsonNode.DeepEquals(FieldSet.Get(before, p), FieldSet.Get(after, p))).ToList();
        var removed = oldFields.Paths.Where(p => !newFields.Contains(p)).ToList();
        if (changed.Count == 0 && removed.Count == 0)
        {
            Write(after, entries);
            return;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            entries[i] = entries[i] with { Fields = entries[i].Fields.Except(changed).Except(removed) };
        }

        var index = entries.FindIndex(e => e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource);
        var fields = (index >= 0 ? entries[index].Fields : FieldSet.Empty).Union(changed);
        Upsert(entries, index, new ManagedEntry(manager, "Update", type.ApiVersion, ObjectMeta.Timestamp(now), subresource, fields));
        Write(after, entries);
    }

    /// <summary>Whether two objects differ only in managedFields timestamps, which alone never make a write.</summary>
    public static bool EqualIgnoringTimestamps(JsonObject a, JsonObject b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (key != "metadata" && !JsonNode.DeepEquals(value, b[key]))
            {
                return false;
            }
        }

        var metaA = a["metadata"] as JsonObject ?? [];
        var metaB = b["metadata"] as JsonObject ?? [];
        if (metaA.Count != metaB.Count || metaA.Any(p => p.Key != "managedFields" && !JsonNode.DeepEquals(p.Value, metaB[p.Key])))
        {
            return false;
        }

        var fieldsA = metaA["managedFields"] as JsonArray ?? [];
        var fieldsB = metaB["managedFields"] as JsonArray ?? [];
        return fieldsA.Count == fieldsB.Count && fieldsA.Zip(fieldsB).All(pair => JsonNode.DeepEquals(WithoutTime(pair.First), WithoutTime(pair.Second)));

        static JsonNode? WithoutTime(JsonNode? entry)
        {
            var copy = entry?.DeepClone() as JsonObject;
            copy?.Remove("time");
            return copy;
        }
    }

    /// <summary>Merges an apply configuration: maps recursively, keyed lists by key, set lists as sets, everything else replaced.</summary>
    private static JsonNode? MergeApplied(ResourceType type, JsonNode? live, JsonNode? applied, List<string> path)
    {
        if (applied is JsonObject appliedObject && live is JsonObject liveObject)
        {
            foreach (var (key, value) in appliedObject)
            {
                if (path.Count == 1 && path[0] == "metadata" && key == "managedFields")
                {
                    continue;
                }

                path.Add(key);
                liveObject[key] = MergeApplied(type, liveObject[key], value, path);
                path.RemoveAt(path.Count - 1);
            }

            return liveObject;
        }

        if (applied is JsonArray appliedArray && live is JsonArray liveArray)
        {
            if (ListSemantics.MergeKey(type, path) is { } key)
            {
                foreach (var element in appliedArray.OfType<JsonObject>())
                {
                    var match = liveArray.OfType<JsonObject>().FirstOrDefault(l => JsonNode.DeepEquals(l[key], element[key]));
                    if (match is null)
                    {
                        liveArray.Add(element.DeepClone());
                    }
                    else
                    {
                        MergeApplied(type, match, element, path);
                    }
                }

                return liveArray;
            }

            if (ListSemantics.IsSet(type, path))
            {
                foreach (var element in appliedArray.Where(e => !liveArray.Any(l => JsonNode.DeepEquals(l, e))))
                {
                    liveArray.Add(element?.DeepClone());
                }

                return liveArray;
            }
        }

        return applied?.DeepClone();
    }

    private static ApiException Conflict(List<(ManagedEntry Entry, string Path)> conflicts)
    {
        var causes = conflicts.Select(c => new StatusCause("FieldManagerConflict", "conflict with " + Describe(c.Entry), FieldSet.Display(c.Path))).ToList();
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Describe(conflicts[0].Entry)}: {FieldSet.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = conflicts.GroupBy(c => Describe(c.Entry)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => new[] { $"conflicts with {g.Key}:" }.Concat(g.Select(c => "- " + FieldSet.Display(c.Path))));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }

        return new ApiException(409, "Conflict", message, causes: causes);
    }

    private static string Describe(ManagedEntry entry)
    {
        var text = $"\"{entry.Manager}\"";
        if (entry.Subresource is not null)
        {
            text += $" with subresource \"{entry.Subresource}\"";
        }

        return entry.Operation == "Update" ? $"{text} using {entry.ApiVersion}" : text;
    }

    private static void Upsert(List<ManagedEntry> entries, int index, ManagedEntry entry)
    {
        if (index >= 0)
        {
            entries[index] = entry;
        }
        else
        {
            entries.Add(entry);
        }
    }

    private static List<ManagedEntry> Entries(JsonObject obj) =>
        ((obj["metadata"] as JsonObject)?["managedFields"] as JsonArray ?? [])
        .OfType<JsonObject>()
        .Select(e => new ManagedEntry(
            e["manager"]?.GetValue<string>() ?? "",
            e["operation"]?.GetValue<string>() ?? "Update",
            e["apiVersion"]?.GetValue<string>() ?? "",
            e["time"]?.GetValue<string>(),
            e["subresource"]?.GetValue<string>(),
            FieldSet.FromFieldsV1(e["fieldsV1"])))
        .ToList();

    private static void Write(JsonObject obj, List<ManagedEntry> entries)
    {
        var array = new JsonArray();
        foreach (var entry in entries.Where(e => e.Fields.Count > 0))
        {
            var node = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = entry.ApiVersion,
            };
            if (entry.Time is not null)
            {
                node["time"] = entry.Time;
            }

            node["fieldsType"] = "FieldsV1";
            node["fieldsV1"] = entry.Fields.ToFieldsV1();
            if (entry.Subresource is not null)
            {
                node["subresource"] = entry.Subresource;
            }

            array.Add(node);
        }

        var metadata = ObjectMeta.Of(obj);
        if (array.Count > 0)
        {
            metadata["managedFields"] = array;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    private sealed record ManagedEntry(string Manager, string Operation, string ApiVersion, string? Time, string? Subresource, FieldSet Fields);
}
