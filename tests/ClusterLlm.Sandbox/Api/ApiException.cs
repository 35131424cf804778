using System.Text.Json.Nodes;

namespace ClusterLlm.Sandbox.Api;

/// <summary>One field-level cause inside a <c>Status</c>'s details, as the API server reports it.</summary>
internal sealed record StatusCause(string Reason, string Message, string? Field);

/// <summary>
/// An error that becomes a <c>meta/v1 Status</c> body with the HTTP code, reason and message the real
/// API server uses for the same failure.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, string? name = null, string? group = null, string? kind = null, IReadOnlyList<StatusCause>? causes = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Name = name;
        Group = group;
        Kind = kind;
        Causes = causes ?? [];
    }

    public int Code { get; }

    public string Reason { get; }

    public string? Name { get; }

    public string? Group { get; }

    public string? Kind { get; }

    public IReadOnlyList<StatusCause> Causes { get; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Name is not null || Kind is not null || Causes.Count > 0)
        {
            var details = new JsonObject();
            if (Name is not null)
            {
                details["name"] = Name;
            }

            if (!string.IsNullOrEmpty(Group))
            {
                details["group"] = Group;
            }

            if (Kind is not null)
            {
                details["kind"] = Kind;
            }

            if (Causes.Count > 0)
            {
                var array = new JsonArray();
                foreach (var cause in Causes)
                {
                    var c = new JsonObject { ["reason"] = cause.Reason, ["message"] = cause.Message };
                    if (cause.Field is not null)
                    {
                        c["field"] = cause.Field;
                    }

                    array.Add(c);
                }

                details["causes"] = array;
            }

            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    public static ApiException NotFound(string resource, string group, string name) =>
        new(404, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found", name, group, resource);

    public static ApiException AlreadyExists(string resource, string group, string name) =>
        new(409, "AlreadyExists", $"{Qualified(resource, group)} \"{name}\" already exists", name, group, resource);

    public static ApiException Conflict(string resource, string group, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource, group)} \"{name}\": {detail}", name, group, resource);

    public static ApiException StaleResourceVersion(string resource, string group, string name) =>
        Conflict(resource, group, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got {contentType}");

    /// <summary>The 422 the API server returns for a failed validation: <c>Kind.group "name" is invalid: [causes]</c>.</summary>
    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<StatusCause> causes)
    {
        var qualifiedKind = string.IsNullOrEmpty(group) ? kind : $"{kind}.{group}";
        var joined = causes.Count == 1
            ? Describe(causes[0])
            : "[" + string.Join(", ", causes.Select(Describe)) + "]";
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {joined}", name, group, kind, causes);

        static string Describe(StatusCause cause) => cause.Field is null ? cause.Message : $"{cause.Field}: {cause.Message}";
    }

    private static string Qualified(string resource, string group) =>
        string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";
}
