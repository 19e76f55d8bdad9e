using System.Globalization;
using System.Net;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace CarClassifier.Training.Evaluation;

/// <summary>
/// One self-contained HTML page (thumbnails embedded as data URIs, no scripts, no network) for an evaluation. Every
/// string from the data (class and file names) is HTML-encoded.
/// </summary>
public static class EvaluationPage
{
    private const int ThumbnailSize = 96;
    private const long MaxThumbnailPixels = 50_000_000;

    public static string Render(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation: ").Append(E(report.Model)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}th{background:#f4f4f4}td.name,th.name{text-align:left}")
            .Append(".diag{background:#d8f0d8}.off{background:#f8dada}.metric{font-size:1.4em;margin-right:2em}figure{display:inline-block;margin:.3em}figcaption{font-size:.8em;max-width:12em;overflow-wrap:anywhere}</style></head><body>");
        html.Append("<h1>Evaluation of ").Append(E(report.Identity)).Append("</h1>");
        html.Append("<p>").Append(report.Images).Append(" images from <code>").Append(E(report.Data)).Append("</code></p><p>")
            .Append("<span class=\"metric\" id=\"top1\">top-1 ").Append(P(report.Top1)).Append("</span>")
            .Append("<span class=\"metric\" id=\"top5\">top-5 ").Append(P(report.Top5)).Append("</span>")
            .Append("<span class=\"metric\" id=\"ece\">ECE ").Append(report.Ece.ToString("0.000", CultureInfo.InvariantCulture)).Append("</span></p>");
        if (report.Warnings.Count > 0)
        {
            html.Append("<ul id=\"warnings\" style=\"background:#fff4cc;padding:.6em 2em;border:1px solid #e0c050\">");
            foreach (var w in report.Warnings) html.Append("<li><strong>Warning:</strong> ").Append(E(w)).Append("</li>");
            html.Append("</ul>");
        }

        html.Append("<h2>Per class</h2><table id=\"per-class\"><tr><th class=\"name\">class</th><th>images</th><th>precision</th><th>recall</th></tr>");
        foreach (var c in report.PerClass)
        {
            html.Append("<tr><td class=\"name\">").Append(E(c.Class)).Append("</td><td>").Append(c.Support).Append("</td><td>")
                .Append(P(c.Precision)).Append("</td><td>").Append(P(c.Recall)).Append("</td></tr>");
        }

        html.Append("</table><h2>Confusion matrix</h2><p>Rows: true class. Columns: predicted class.</p><table id=\"confusion\"><tr><th class=\"name\">true \\ predicted</th>");
        foreach (var column in report.Confusion.Columns) html.Append("<th>").Append(E(column)).Append("</th>");
        html.Append("</tr>");
        for (int r = 0; r < report.Confusion.Rows.Count; r++)
        {
            html.Append("<tr><th class=\"name\">").Append(E(report.Confusion.Rows[r])).Append("</th>");
            for (int c = 0; c < report.Confusion.Columns.Count; c++)
            {
                var count = report.Confusion.Counts[r][c];
                var css = count == 0 ? "" : r == c ? " class=\"diag\"" : " class=\"off\"";
                html.Append("<td").Append(css).Append('>').Append(count).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table><h2>Worst confusions</h2>");
        if (report.WorstConfusions.Count == 0) html.Append("<p>None: every image was classified correctly.</p>");
        foreach (var confusion in report.WorstConfusions)
        {
            html.Append("<section class=\"confusion\"><h3>").Append(E(confusion.TrueClass)).Append(" taken for ").Append(E(confusion.PredictedClass))
                .Append(" (").Append(confusion.Count).Append(")</h3>");
            foreach (var example in confusion.Examples)
            {
                html.Append("<figure>");
                var thumbnail = Thumbnail(Path.Combine(report.Data, example.File));
                if (thumbnail is not null) html.Append("<img alt=\"").Append(E(example.File)).Append("\" src=\"data:image/jpeg;base64,").Append(thumbnail).Append("\">");
                html.Append("<figcaption>").Append(E(example.File)).Append("<br>").Append(P(example.Confidence)).Append(" sure</figcaption></figure>");
            }

            html.Append("</section>");
        }

        html.Append("<h2>Calibration</h2><p>How often the model is right when it is this sure. ECE is the gap averaged over images.</p>")
            .Append("<table id=\"calibration\"><tr><th>confidence</th><th>images</th><th>mean confidence</th><th>accuracy</th></tr>");
        foreach (var bin in report.Calibration.Where(b => b.Count > 0))
        {
            html.Append("<tr><td>").Append(P(bin.Lower)).Append("–").Append(P(bin.Upper)).Append("</td><td>").Append(bin.Count).Append("</td><td>")
                .Append(P(bin.Confidence)).Append("</td><td>").Append(P(bin.Accuracy)).Append("</td></tr>");
        }

        html.Append("</table>");
        if (report.Skipped.Count > 0)
        {
            html.Append("<h2>Skipped files</h2><ul id=\"skipped\">");
            foreach (var s in report.Skipped) html.Append("<li><code>").Append(E(s.RelativePath)).Append("</code>: ").Append(E(s.Reason)).Append("</li>");
            html.Append("</ul>");
        }

        foreach (var warning in report.Warnings) html.Append("<p class=\"warning\">").Append(E(warning)).Append("</p>");
        return html.Append("</body></html>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string P(double fraction) => fraction.ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>A small JPEG as base64, or null when the file cannot be read or decoded (the page says the file name anyway).</summary>
    private static string? Thumbnail(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            var info = Image.Identify(bytes);
            if (info is null || (long)info.Width * info.Height > MaxThumbnailPixels) return null;
            using var image = Image.Load<Rgb24>(bytes);
            image.Mutate(x => x.AutoOrient().Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(ThumbnailSize, ThumbnailSize) }));
            using var stream = new MemoryStream();
            image.SaveAsJpeg(stream, new JpegEncoder { Quality = 80 });
            return Convert.ToBase64String(stream.ToArray());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnknownImageFormatException or InvalidImageContentException
            or NotSupportedException or ImageFormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
