using System.Globalization;
using System.Text;

namespace CarClassifier.Core.Text;

/// <summary>
/// Makes invisible characters visible wherever a blob name (or any user-supplied text) is shown: bidirectional controls
/// (U+202E turns <c>evil&#x202E;gpj.png</c> into what reads as <c>evilgnp.jpg</c>), zero-width and other format
/// characters, control characters and noncharacters are written as <c>&lt;U+202E&gt;</c>. Only for display: the stored
/// name, keys and links keep the exact characters.
/// </summary>
public static class VisibleText
{
    /// <summary>The text with every invisible or direction-changing character replaced by its code point in brackets.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
        if (!text.EnumerateRunes().Any(IsHidden)) return text;
        var builder = new StringBuilder(text.Length + 16);
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsHidden(rune))
            {
                builder.Append("<U+").Append(rune.Value.ToString("X4", CultureInfo.InvariantCulture)).Append('>');
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>Controls (Cc), format characters (Cf: bidi embeddings, overrides and isolates, zero-width joiners, BOM), separators other than space, and noncharacters.</summary>
    public static bool IsHidden(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
        {
            return true;
        }

        int value = rune.Value;
        return (value & 0xFFFE) == 0xFFFE || value is >= 0xFDD0 and <= 0xFDEF;
    }
}
