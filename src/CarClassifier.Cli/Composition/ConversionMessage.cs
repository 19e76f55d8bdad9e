using System.Text.RegularExpressions;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// Spectre says "Failed to convert 'abc' to Nullable`1." when an option's value is not of its type: a .NET type name
/// no user should see. This names the option (found in the command line) and what it takes instead.
/// </summary>
internal static partial class ConversionMessage
{
    public static string Rewrite(string message, IReadOnlyList<string>? args)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = Failed().Match(message);
        if (!match.Success) return message;
        var value = match.Groups["value"].Value;
        var expected = match.Groups["type"].Value switch
        {
            "Int32" or "Int64" or "Int16" or "Byte" or "UInt32" or "UInt64" or "Nullable`1" => "a whole number",
            "Double" or "Single" or "Decimal" => "a number",
            "Boolean" => "true or false",
            "TimeSpan" => "a duration",
            _ => "a value of another kind",
        };
        return Option(value, args) is { } option
            ? $"{option} takes {expected}, not '{value}'."
            : $"'{value}' is not {expected}.";
    }

    /// <summary>The option the value was given to: "--limit abc" or "--limit=abc".</summary>
    private static string? Option(string value, IReadOnlyList<string>? args)
    {
        if (args is null) return null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith('-') && args[i].EndsWith("=" + value, StringComparison.Ordinal)) return args[i][..args[i].IndexOf('=', StringComparison.Ordinal)];
            if (i > 0 && args[i] == value && args[i - 1].StartsWith('-')) return args[i - 1];
        }

        return null;
    }

    [GeneratedRegex("^Failed to convert '(?<value>.*)' to (?<type>[^ ]+)\\.$", RegexOptions.Singleline)]
    private static partial Regex Failed();
}
