using System.IO.Compression;
using System.Text;

namespace CarClassifier.Core.Imaging;

/// <summary>
/// Names the common files that are not images this classifier decodes, from their first bytes, so a Failed row can say
/// what the file is and what to convert it to instead of "not a recognised image format (first bytes: ...)" (issue 21:
/// SVG, SVGZ, JPEG 2000, JPEG XL, Photoshop, icons, camera raw, video, documents and archives users upload by mistake).
/// Only called for bytes <see cref="ImageFormatSniffer"/> did not recognise; the work is bounded (at most
/// <see cref="TextBytes"/> bytes read, and as many inflated from a gzip stream).
/// </summary>
internal static class ForeignFormats
{
    /// <summary>How much of a text file (or of a gzip stream, once inflated) is looked at for an SVG or HTML start.</summary>
    private const int TextBytes = 4096;

    /// <summary>What the file is, as a short noun phrase ("an SVG drawing (vector graphics)"), or null when it is not known.</summary>
    public static string? Name(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A])
            || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]))
        {
            return "a JPEG 2000 image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20, 0x0D, 0x0A, 0x87, 0x0A])
            || data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]))
        {
            return "a JPEG XL image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0xBC]))
        {
            return "a JPEG XR (HD Photo) image";
        }

        if (data.StartsWith("8BPS"u8))
        {
            return "a Photoshop document (PSD)";
        }

        if (IsIcon(data))
        {
            return data[2] == 1 ? "a Windows icon (ICO)" : "a Windows cursor (CUR)";
        }

        if (data.StartsWith("%PDF-"u8))
        {
            return "a PDF document";
        }

        if (data.StartsWith("%!PS"u8) || data.StartsWith((ReadOnlySpan<byte>)[0xC5, 0xD0, 0xD3, 0xC6]))
        {
            return "a PostScript or EPS document";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x76, 0x2F, 0x31, 0x01]))
        {
            return "an OpenEXR image";
        }

        if (data.StartsWith("#?RADIANCE"u8) || data.StartsWith("#?RGBE"u8))
        {
            return "a Radiance HDR image";
        }

        if (data.StartsWith("qoif"u8))
        {
            return "a QOI image";
        }

        if (data.StartsWith("DDS "u8))
        {
            return "a DirectDraw Surface texture (DDS)";
        }

        if (data.StartsWith("FUJIFILMCCD-RAW"u8) || data.StartsWith("IIRO"u8) || data.StartsWith("IIU\0"u8))
        {
            return "a camera raw file";
        }

        if (IsoBmff(data) is { } media)
        {
            return media;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B, 0x08]))
        {
            return Text(Inflate(data)) switch
            {
                "svg" => "a gzip-compressed SVG drawing (SVGZ, vector graphics)",
                _ => "a gzip-compressed file",
            };
        }

        if (data.StartsWith("PK\x03\x04"u8))
        {
            return "a ZIP archive (or a document stored as one)";
        }

        return Text(data) switch
        {
            "svg" => "an SVG drawing (vector graphics)",
            "html" => "an HTML page (perhaps a download that saved an error page)",
            _ => null,
        };
    }

    /// <summary>ICO/CUR: reserved 0, type 1 or 2, 1-255 images, and a first directory entry with its reserved byte 0.</summary>
    private static bool IsIcon(ReadOnlySpan<byte> data) =>
        data.Length >= 22 && data[0] == 0 && data[1] == 0 && data[2] is 1 or 2 && data[3] == 0
        && data[4] != 0 && data[5] == 0 && data[6 + 3] == 0;

    /// <summary>ISO-BMFF files that are not AVIF or HEIF: video and Canon's CR3 raw.</summary>
    private static string? IsoBmff(ReadOnlySpan<byte> data)
    {
        var brands = ImageFormatSniffer.FtypBrands(data);
        if (brands.IsEmpty)
        {
            return null;
        }

        for (int offset = 0; offset + 4 <= brands.Length; offset += 4)
        {
            if (brands.Slice(offset, 4).SequenceEqual("crx "u8))
            {
                return "a Canon CR3 camera raw file";
            }
        }

        return brands.Length >= 4 && brands[..4].SequenceEqual("qt  "u8) ? "a QuickTime video" : "an MP4 or similar video (ISO media file)";
    }

    /// <summary>The first <see cref="TextBytes"/> bytes a gzip stream inflates to (fewer when it ends or is damaged).</summary>
    private static byte[] Inflate(ReadOnlySpan<byte> gzip)
    {
        var output = new byte[TextBytes];
        int read = 0;
        try
        {
            using var input = new MemoryStream(gzip.ToArray(), writable: false);
            using var inflater = new GZipStream(input, CompressionMode.Decompress);
            int n;
            while (read < output.Length && (n = inflater.Read(output, read, output.Length - read)) > 0)
            {
                read += n;
            }
        }
        catch (InvalidDataException)
        {
            // damaged or not really gzip: judge what came out so far
        }

        return output[..read];
    }

    /// <summary>"svg" or "html" when the bytes are markup that opens as such (after a BOM, whitespace, an XML prolog,
    /// comments or a DOCTYPE), in UTF-8 or UTF-16; null otherwise.</summary>
    private static string? Text(ReadOnlySpan<byte> data)
    {
        data = data[..Math.Min(data.Length, TextBytes)];
        string text;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            text = Encoding.Unicode.GetString(data[2..]);
        }
        else if (data.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = Encoding.BigEndianUnicode.GetString(data[2..]);
        }
        else
        {
            text = Encoding.UTF8.GetString(data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? data[3..] : data);
        }

        text = text.TrimStart();
        if (!text.StartsWith('<'))
        {
            return null;
        }

        // Past the prolog, comments and DOCTYPE: the first element decides.
        int at = 0;
        while (at < text.Length)
        {
            int open = text.IndexOf('<', at);
            if (open < 0 || open + 1 >= text.Length)
            {
                return null;
            }

            char next = text[open + 1];
            if (next is '?' or '!')
            {
                if (text.AsSpan(open).StartsWith("<!DOCTYPE svg", StringComparison.OrdinalIgnoreCase))
                {
                    return "svg";
                }

                if (text.AsSpan(open).StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase))
                {
                    return "html";
                }

                int close = text.AsSpan(open).StartsWith("<!--", StringComparison.Ordinal) ? text.IndexOf("-->", open, StringComparison.Ordinal) : text.IndexOf('>', open);
                if (close < 0)
                {
                    return null;
                }

                at = close + 1;
                continue;
            }

            // The element's name, up to a space or the end of the tag: "svg", or a prefixed "x:svg".
            var element = text.AsSpan(open + 1);
            int nameEnd = element.IndexOfAny(" \t\r\n/>");
            var name = nameEnd < 0 ? element : element[..nameEnd];
            if (name.Equals("svg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(":svg", StringComparison.OrdinalIgnoreCase))
            {
                return "svg";
            }

            return name.Equals("html", StringComparison.OrdinalIgnoreCase) ? "html" : null;
        }

        return null;
    }
}
