namespace ClusterLlm.Runtime.Scheduling;

/// <summary>GBNF for <c>response_format: json_object</c>: one JSON object, whitespace bounded so a model cannot pad forever.</summary>
internal static class JsonGrammar
{
    public const string Object = """
        root   ::= object
        value  ::= object | array | string | number | ("true" | "false" | "null") ws
        object ::= "{" ws ( string ":" ws value ( "," ws string ":" ws value )* )? "}" ws
        array  ::= "[" ws ( value ( "," ws value )* )? "]" ws
        string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] ) )* "\"" ws
        number ::= "-"? ( "0" | [1-9] [0-9]* ) ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )? ws
        ws     ::= ( " " | "\n" [ \t]* )?
        """;
}
