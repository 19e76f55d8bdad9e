using System.Text;
using System.Text.RegularExpressions;

namespace CarClassifier.Cli.Commands.Upload;

/// <summary>
/// --include / --exclude globs. A pattern without "/" matches the file name ("*.jpg", as AzCopy's --include-pattern);
/// one with "/" matches the path relative to the folder ("cars/**/*.png"). "*" is any run of characters except "/",
/// "**" any run including "/", "?" one character; matching ignores case, as file systems users come from often do.
/// </summary>
internal sealed class PathPatterns
{
    private readonly (Regex Pattern, bool WholePath)[] _patterns;

    public PathPatterns(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patterns = patterns
            .SelectMany(p => p.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(p => (ToRegex(p.Replace('\\', '/').TrimStart('/')), p.Contains('/', StringComparison.Ordinal)))
            .ToArray();
    }

    public bool IsEmpty => _patterns.Length == 0;

    /// <param name="relativePath">The file's path relative to the uploaded folder, with "/" separators.</param>
    public bool Matches(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        return _patterns.Any(p => p.Pattern.IsMatch(p.WholePath ? relativePath : name));
    }

    private static Regex ToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" also matches no folder at all: cars/**/*.png takes cars/a.png.
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                pattern.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                pattern.Append("[^/]*");
            }
            else if (c == '?')
            {
                pattern.Append("[^/]");
            }
            else
            {
                pattern.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
