using System.Globalization;
using System.Net;
using System.Text;
using CarClassifier.Core.Results;
using CarClassifier.Core.Text;

namespace CarClassifier.Cli.Commands.Report;

/// <summary>
/// The report's index.html: one self-contained page (inline CSS and script, local thumbnails, no external URL).
/// Every string that comes from a blob name or a row is HTML-encoded. The page's script marks
/// <c>body[data-ready]</c> and <c>data-cards</c> once it has run, and records script errors in
/// <c>#errors</c>, so a headless browser can check it rendered cleanly.
/// </summary>
internal static class ReportPage
{
    public static string Build(
        string title, string prefix, IReadOnlyList<(ResultView Row, string? Thumb, string? ThumbProblem)> cards, ReportModels models, DateTimeOffset generatedAt,
        IReadOnlyDictionary<string, string>? fullImages = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var succeeded = cards.Count(c => c.Row.Succeeded);
        var failed = cards.Count - succeeded;
        var html = new StringBuilder(16 * 1024 + (cards.Count * 1024));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n")
            .Append("<script>\n").Append(ErrorHook).Append("</script>\n</head>\n<body>\n")
            .Append("<header><h1>").Append(E(title)).Append("</h1>\n<p class=\"summary\">")
            .Append(cards.Count.ToString(CultureInfo.InvariantCulture)).Append(" images under <code>").Append(E(prefix.Length == 0 ? "(all)" : prefix)).Append("</code>: ")
            .Append("<span class=\"ok\">").Append(succeeded.ToString(CultureInfo.InvariantCulture)).Append(" classified</span>, ")
            .Append("<span class=\"bad\">").Append(failed.ToString(CultureInfo.InvariantCulture)).Append(" failed</span>. Generated ")
            .Append(E(generatedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))).Append(".</p>\n");
        AppendVehicleTypeCounts(html, cards);
        foreach (var model in models.MeaninglessModels)
        {
            // The same warning run and host print in yellow: a seeded model's labels must not read as an answer.
            html.Append("<div class=\"banner\" role=\"alert\"><strong>Warning:</strong> <code>").Append(E(model))
                .Append("</code> has seeded random weights: its labels MEAN NOTHING. Use it to smoke-test the pipeline and to benchmark, never to classify cars.</div>\n");
        }

        html
            .Append("<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter by name, label or vehicle type\" aria-label=\"Filter\">")
            .Append("<label><input type=\"checkbox\" id=\"failedOnly\"> failures only</label> <span id=\"shown\"></span></div>\n")
            .Append("<div id=\"errors\" hidden></div>\n</header>\n<main id=\"cards\">\n");

        foreach (var (row, thumb, problem) in cards)
        {
            AppendCard(html, row, thumb, problem, models.VehicleSum(row), fullImages?.GetValueOrDefault(row.BlobPath));
        }

        html.Append("</main>\n<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>One line counting the classified rows per vehicle type, most first (as <c>results --summary</c> does).</summary>
    private static void AppendVehicleTypeCounts(StringBuilder html, IReadOnlyList<(ResultView Row, string? Thumb, string? ThumbProblem)> cards)
    {
        var counts = cards.Where(c => c.Row.Succeeded && c.Row.VehicleType is not null)
            .GroupBy(c => c.Row.VehicleType!, StringComparer.Ordinal)
            .Select(g => (Type: g.Key, Count: g.Count()))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Type, StringComparer.Ordinal)
            .ToList();
        if (counts.Count == 0) return;
        html.Append("<p class=\"types\">Vehicle types: ");
        for (var i = 0; i < counts.Count; i++)
        {
            if (i > 0) html.Append(" · ");
            html.Append("<span class=\"type\">").Append(E(counts[i].Type)).Append(" <b>").Append(counts[i].Count.ToString(CultureInfo.InvariantCulture)).Append("</b></span>");
        }

        html.Append("</p>\n");
    }

    private static void AppendCard(StringBuilder html, ResultView row, string? thumb, string? problem, double? vehicleSum, string? full)
    {
        var search = string.Join(' ', row.BlobName, row.Label, row.VehicleType, row.ErrorKind).ToLowerInvariant();
        html.Append("<article class=\"card ").Append(row.Succeeded ? "succeeded" : "failed").Append("\" data-status=\"")
            .Append(row.Succeeded ? "succeeded" : "failed").Append("\" data-search=\"").Append(E(search)).Append("\">\n");
        if (thumb is not null)
        {
            html.Append("<img src=\"").Append(E(thumb)).Append("\" alt=\"").Append(E(row.BlobName)).Append("\">\n");
        }
        else
        {
            html.Append("<div class=\"nothumb\">no preview<br><small>").Append(E(problem ?? "")).Append("</small></div>\n");
        }

        html.Append("<h2 title=\"").Append(E(row.BlobName)).Append("\">").Append(E(row.BlobName)).Append("</h2>\n");
        if (full is not null)
        {
            html.Append("<p class=\"full\"><a href=\"").Append(E(full)).Append("\" target=\"_blank\">full image</a></p>\n");
        }

        if (row.Succeeded)
        {
            if (row.VehicleType is not null)
            {
                // The honest number: how much of the stored top-k is vehicle classes, said in words, not 1 - that as "not a vehicle 100 %".
                html.Append("<p class=\"vehicle\">").Append(E(row.VehicleType));
                if (vehicleSum is { } sum)
                {
                    html.Append(" <small>vehicle ").Append(Percent(sum)).Append(" (sum of vehicle classes in the top ")
                        .Append(row.TopK.Count.ToString(CultureInfo.InvariantCulture)).Append(")</small>");
                }

                html.Append("</p>\n");
            }

            html.Append("<ol class=\"topk\">\n");
            foreach (var score in row.TopK)
            {
                var width = Math.Clamp(score.Probability * 100.0, 0, 100).ToString("F1", CultureInfo.InvariantCulture);
                html.Append("<li><span class=\"label\">").Append(E(score.Label)).Append("</span><span class=\"bar\"><span style=\"width:")
                    .Append(width).Append("%\"></span></span><span class=\"p\">").Append(Percent(score.Probability)).Append("</span></li>\n");
            }

            html.Append("</ol>\n");
        }
        else
        {
            html.Append("<p class=\"reason\"><strong>").Append(E(row.ErrorKind ?? "Failed")).Append("</strong>: ").Append(E(row.Error ?? "")).Append("</p>\n");
        }

        html.Append("<p class=\"meta\">").Append(E(row.Model ?? "")).Append(row.Succeeded ? $" · batch {row.BatchSize.ToString(CultureInfo.InvariantCulture)}" : "").Append("</p>\n</article>\n");
    }

    private static string Percent(double? p) => p is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "";

    // Bidi and other invisible controls are shown as <U+XXXX> (issue 15): a name must read as what it is.
    private static string E(string? value) => WebUtility.HtmlEncode(VisibleText.Escape(value));

    private const string Css = """
        :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        body { margin: 0; background: #f3f4f6; color: #111827; }
        header { padding: 16px 24px; background: #fff; border-bottom: 1px solid #e5e7eb; position: sticky; top: 0; z-index: 1; }
        h1 { margin: 0 0 4px; font-size: 22px; }
        .summary { margin: 0 0 8px; color: #374151; }
        .ok { color: #047857; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
        .controls { display: flex; gap: 12px; align-items: center; }
        #filter { width: 320px; padding: 6px 8px; border: 1px solid #d1d5db; border-radius: 6px; }
        #errors { margin-top: 8px; padding: 8px; background: #fee2e2; color: #991b1b; white-space: pre-wrap; }
        main { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 16px; padding: 16px 24px; }
        .card { background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 10px; overflow: hidden; border-top: 4px solid #10b981; }
        .card.failed { border-top-color: #ef4444; }
        .card img, .nothumb { display: block; width: 100%; height: 180px; object-fit: contain; background: #111827; border-radius: 6px; }
        .nothumb { color: #9ca3af; text-align: center; padding-top: 70px; box-sizing: border-box; }
        h2 { font-size: 13px; font-weight: 600; margin: 8px 0 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .vehicle { margin: 0 0 6px; font-size: 15px; font-weight: 700; }
        .vehicle small { font-weight: 400; color: #6b7280; text-transform: none; }
        .topk { list-style: none; margin: 0; padding: 0; font-size: 12px; }
        .topk li { display: grid; grid-template-columns: 1fr 80px 48px; gap: 6px; align-items: center; margin: 2px 0; }
        .topk .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .bar { height: 8px; background: #e5e7eb; border-radius: 4px; overflow: hidden; }
        .bar span { display: block; height: 100%; background: #3b82f6; }
        .p { text-align: right; color: #374151; font-variant-numeric: tabular-nums; }
        .reason { font-size: 13px; color: #991b1b; margin: 4px 0; word-break: break-word; }
        .meta { font-size: 11px; color: #9ca3af; margin: 6px 0 0; word-break: break-all; }
        .hidden { display: none; }
        .full { margin: 0 0 4px; font-size: 12px; }
        .types { margin: 0 0 8px; color: #374151; font-size: 13px; }
        .banner { margin: 0 0 8px; padding: 8px 12px; background: #fef3c7; border: 2px solid #f59e0b; color: #78350f; border-radius: 6px; }

        """;

    // Runs first, so errors in anything later are caught and shown on the page (and in a headless DOM dump).
    private const string ErrorHook = """
        (function () {
          var record = function (text) {
            var box = document.getElementById('errors');
            if (!box) { (window.__pendingErrors = window.__pendingErrors || []).push(text); return; }
            box.hidden = false; box.textContent += text + '\n';
            document.body.setAttribute('data-errors', String((Number(document.body.getAttribute('data-errors')) || 0) + 1));
          };
          window.__recordError = record;
          window.addEventListener('error', function (e) { record('error: ' + (e.message || (e.target && e.target.src) || 'resource failed')); }, true);
          var original = console.error;
          console.error = function () { record('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
        })();

        """;

    private const string Script = """
        (function () {
          (window.__pendingErrors || []).forEach(function (t) { window.__recordError(t); });
          var cards = Array.prototype.slice.call(document.querySelectorAll('#cards .card'));
          var filter = document.getElementById('filter');
          var failedOnly = document.getElementById('failedOnly');
          var shown = document.getElementById('shown');
          function apply() {
            var q = filter.value.trim().toLowerCase();
            var n = 0;
            cards.forEach(function (c) {
              var show = (!q || c.getAttribute('data-search').indexOf(q) >= 0) && (!failedOnly.checked || c.getAttribute('data-status') === 'failed');
              c.classList.toggle('hidden', !show);
              if (show) n++;
            });
            shown.textContent = n + ' of ' + cards.length + ' shown';
          }
          filter.addEventListener('input', apply);
          failedOnly.addEventListener('change', apply);
          apply();
          document.body.setAttribute('data-cards', String(cards.length));
          document.body.setAttribute('data-ready', 'true');
        })();

        """;
}
