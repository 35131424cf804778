using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ClusterLlm.Sandbox.Patching;
using ClusterLlm.Sandbox.Registry;

namespace ClusterLlm.Sandbox.OpenApi;

/// <summary>
/// OpenAPI schemas for the built-in kinds, generated from KubernetesClient's model classes: JSON
/// property names and types by reflection, descriptions from the shipped XML docs, and the
/// strategic-merge keys of <see cref="ListSemantics"/> added as <c>x-kubernetes-patch-*</c>.
/// Nested types are named in the package of the first kind that uses them.
/// </summary>
internal static partial class ModelSchemas
{
    public const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta.v1";

    private static readonly HashSet<string> MetaTypes = ["ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector", "LabelSelectorRequirement", "Condition", "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions"];

    private static readonly Lazy<Dictionary<string, JsonObject>> AllSchemas = new(Build);

    /// <summary>Every generated component, keyed by full name.</summary>
    public static IReadOnlyDictionary<string, JsonObject> All => AllSchemas.Value;

    private static Dictionary<string, JsonObject> Build()
    {
        var names = new Dictionary<Type, string>();
        var schemas = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var type in BuiltInResources.All)
        {
            names[type.ModelType!] = type.SchemaName;
        }

        var pending = new Queue<(Type Type, string Package)>(BuiltInResources.All.Select(t => (t.ModelType!, BuiltInResources.SchemaPackage(t.Group, t.Version))));
        while (pending.TryDequeue(out var item))
        {
            var name = names[item.Type];
            if (schemas.ContainsKey(name))
            {
                continue;
            }

            var schema = new JsonObject();
            if (ModelDocs.Type(item.Type) is { } description)
            {
                schema["description"] = description;
            }

            schema["type"] = "object";
            var properties = new JsonObject();
            foreach (var property in item.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (jsonName is null)
                {
                    continue;
                }

                var propertySchema = Describe(property.PropertyType, item.Package, names, pending);
                if (ModelDocs.Property(item.Type, property.Name) is { } propertyDescription)
                {
                    propertySchema = propertySchema.ContainsKey("$ref")
                        ? new JsonObject { ["allOf"] = new JsonArray(propertySchema), ["description"] = propertyDescription }
                        : propertySchema;
                    propertySchema["description"] ??= propertyDescription;
                }

                if (propertySchema["type"]?.GetValue<string>() == "array" && ListSemantics.DocumentedKeys.TryGetValue(jsonName, out var mergeKey))
                {
                    propertySchema["x-kubernetes-patch-merge-key"] = jsonName == "ports" && item.Type == typeof(k8s.Models.V1ServiceSpec) ? "port" : jsonName == "ports" ? "containerPort" : mergeKey;
                    propertySchema["x-kubernetes-patch-strategy"] = "merge";
                }
                else if (jsonName == "finalizers" && item.Type == typeof(k8s.Models.V1ObjectMeta))
                {
                    propertySchema["x-kubernetes-patch-strategy"] = "merge";
                }

                properties[jsonName] = propertySchema;
            }

            schema["properties"] = properties;
            if (BuiltInResources.All.FirstOrDefault(t => t.ModelType == item.Type) is { } kind)
            {
                schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = kind.Group, ["kind"] = kind.Kind, ["version"] = kind.Version });
            }

            schemas[name] = schema;
        }

        schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"] = new JsonObject
        {
            ["description"] = "Quantity is a fixed-point representation of a number, serialized as a string such as \"100m\" or \"1Gi\".",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
        };
        schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = new JsonObject
        {
            ["description"] = "IntOrString is a type that can hold an int32 or a string.",
            ["format"] = "int-or-string",
            ["type"] = "string",
        };
        return schemas;
    }

    private static JsonObject Describe(Type type, string package, Dictionary<Type, string> names, Queue<(Type, string)> pending)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return new JsonObject { ["type"] = "number", ["format"] = "double" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type == typeof(byte[]))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }

        if (type == typeof(k8s.Models.IntOrString))
        {
            return Ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        }

        if (type == typeof(k8s.Models.ResourceQuantity))
        {
            return Ref("io.k8s.apimachinery.pkg.api.resource.Quantity");
        }

        if (type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Describe(type.GetGenericArguments()[1], package, names, pending) };
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new JsonObject { ["type"] = "array", ["items"] = Describe(type.GetGenericArguments()[0], package, names, pending) };
        }

        if (type.Namespace == "k8s.Models" && type.IsClass)
        {
            if (!names.TryGetValue(type, out var name))
            {
                var shortName = VersionPrefix().Replace(type.Name, "");
                name = MetaTypes.Contains(shortName) ? $"{MetaPackage}.{shortName}" : $"{package}.{shortName}";
                names[type] = name;
                pending.Enqueue((type, package));
            }

            return Ref(name);
        }

        return new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
    }

    private static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };

    [GeneratedRegex(@"^(V\d+(?:alpha\d+|beta\d+)?|[A-Z][a-z]+v\d+(?:alpha\d+|beta\d+)?)(?=[A-Z])")]
    private static partial Regex VersionPrefix();
}
