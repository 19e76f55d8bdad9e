using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;

namespace CarClassifier.Bench;

/// <summary>Markdown tables for the terminal (and docs/PERFORMANCE.md), and the JSON document for --json.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Dictionary<string, string> Machine(BenchSettings settings, string loadBefore) => new()
    {
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv),
        ["command"] = "scripts/bench.sh " + settings.CommandLine,
        ["cpu"] = CpuModel(),
        ["logicalCores"] = Environment.ProcessorCount.ToString(Inv),
        ["memoryGiB"] = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("F0", Inv),
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["onnxruntime"] = OrtEnv.Instance().GetVersionString(),
        ["provider"] = settings.Provider,
        ["loadAverageBefore"] = loadBefore,
    };

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    public static string Markdown(IReadOnlyList<BenchResult> results, IReadOnlyDictionary<string, string> machine)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"Machine: {machine["cpu"]}, {machine["logicalCores"]} logical cores, {machine["memoryGiB"]} GiB, {machine["os"]}; " +
            $"{machine["dotnet"]}, ONNX Runtime {machine["onnxruntime"]} ({machine["provider"]}).");
        sb.AppendLine(Inv, $"Date: {machine["date"]}. Command: `{machine["command"]}`. Load average before/after: {machine["loadAverageBefore"]} / {machine.GetValueOrDefault("loadAverageAfter", "?")}.");
        sb.AppendLine("Each number is the median of the repeats; ± is half the min-max spread in percent (the noise of this shared machine).");

        var decode = results.Where(r => r.Section == "decode").ToArray();
        if (decode.Length > 0)
        {
            var variants = decode.Select(r => r.Variant).Distinct().ToArray();
            sb.AppendLine().AppendLine("### Decode + preprocess to the 3x224x224 tensor, one thread (images/s per core)").AppendLine();
            var best = variants.Where(v => !v.StartsWith("pillow", StringComparison.Ordinal)).ToArray();
            var hasDraft = variants.Contains("pillow-draft");
            sb.Append("| photos | MP |").AppendJoin("", variants.Select(v => $" {v} |"));
            if (hasDraft) sb.AppendJoin("", best.Select(v => $" {v} ÷ pillow-draft |"));
            sb.AppendLine();
            sb.Append("|---|---:|").AppendJoin("", variants.Select(_ => "---:|"));
            if (hasDraft) sb.AppendJoin("", best.Select(_ => "---:|"));
            sb.AppendLine();
            foreach (var group in decode.GroupBy(r => r.Case))
            {
                var mp = group.Select(r => r.Extra.GetValueOrDefault("megapixels")).Max();
                sb.Append(Inv, $"| {group.Key} ({group.Select(r => r.Extra.GetValueOrDefault("files")).Max():F0} files) | {mp:F1} |");
                foreach (var v in variants)
                {
                    var r = group.FirstOrDefault(x => x.Variant == v);
                    sb.Append(r is null ? " - |" : $" {Format(r.Stats)} |");
                }

                var draft = group.FirstOrDefault(x => x.Variant == "pillow-draft");
                if (hasDraft)
                {
                    foreach (var v in best)
                    {
                        var r = group.FirstOrDefault(x => x.Variant == v);
                        sb.Append(r is null || draft is null ? " - |" : string.Format(Inv, " {0:F2}x |", r.Stats.Median / draft.Stats.Median));
                    }
                }

                sb.AppendLine();
            }
        }

        Table(sb, results, "inference", "### Inference only: ModelSession.Run on a pinned batch buffer (images/s)",
            [("ms/batch", "msPerBatch", "F1"), ("managed bytes/Run", "allocatedBytesPerRun", "F0")]);
        Table(sb, results, "ort", "### ONNX Runtime settings, one changed at a time (images/s)",
            [("ms/batch", "msPerBatch", "F1")]);
        Table(sb, results, "e2e", "### End to end in process: JPEG bytes -> decode -> batcher -> top-5 (images/s)",
            [("÷ inference-only", "ratioToInference", "F2")]);
        Table(sb, results, "azurite", "### Through Azurite with the local host (upload first, then start)",
            [("p50 queue->row ms", "queueToRowP50Ms", "F0"), ("p95 queue->row ms", "queueToRowP95Ms", "F0"), ("host start s", "hostStartSeconds", "F1")]);
        Plumbing(sb, results);
        Table(sb, results, "calls", "### Storage calls one at a time, production clients, this process's CPU (core-ms per item)",
            [("wall ms/item", "wallMsPerItem", "F2"), ("items", "items", "F0")], "F3");
        Table(sb, results, "head", "### carclass train: softmax head fit on features (seconds)", []);
        return sb.ToString();
    }

    /// <summary>Host CPU per image (plumbing section): one row per run, then classify = full - ingest, then the thread split.</summary>
    private static void Plumbing(StringBuilder sb, IReadOnlyList<BenchResult> results)
    {
        var rows = results.Where(r => r.Section == "plumbing").ToArray();
        if (rows.Length == 0) return;
        double X(BenchResult r, string key) => r.Extra.GetValueOrDefault(key, double.NaN);
        sb.AppendLine().AppendLine("### Host CPU per image, carclass host + Azurite (Azurite's CPU excluded), core-ms per image").AppendLine();
        sb.AppendLine("| photos | path (config) | warm-up images | start-up core-ms | host core-ms/image | of which late JIT | steady (without JIT) | idle background | decode only | inference | outside decode + inference | images/s per core | images/s wall | log lines/image | load 1m |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(Inv, $"| {r.Case} | {r.Variant} | {X(r, "warmUpImages"):F0} | {X(r, "startupCpuMs"):F0} | {r.Stats.Median:F2} | {X(r, "jitMsPerImage"):F2} | **{X(r, "steadyMsPerImage"):F2}** | {X(r, "backgroundMsPerImage"):F2} | {X(r, "decodeOnlyCpuMs"):F2} | {X(r, "inferenceMsPerImage"):F2} | {X(r, "outsideDecodeInferenceMs"):F2} | {1000 / X(r, "steadyMsPerImage"):F0} | {X(r, "imagesPerSecondWall"):F1} | {X(r, "stdoutLinesPerImage"):F2} | {X(r, "loadAverage1mBefore"):F1}-{X(r, "loadAverage1mAfter"):F1} |");
        }

        var groups = rows.SelectMany(r => r.Extra.Keys).Where(k => k.StartsWith("thread:", StringComparison.Ordinal)).Distinct()
            .OrderByDescending(k => rows.Sum(r => r.Extra.GetValueOrDefault(k))).ToArray();
        sb.AppendLine().AppendLine("Host CPU by thread (core-ms per image; the runtime names its threads, native threads inherit their creator's name):").AppendLine();
        sb.Append("| photos | path (config) |").AppendJoin("", groups.Select(g => $" {g["thread:".Length..]} |")).AppendLine();
        sb.Append("|---|---|").AppendJoin("", groups.Select(_ => "---:|")).AppendLine();
        foreach (var r in rows)
        {
            sb.Append(Inv, $"| {r.Case} | {r.Variant} |").AppendJoin("", groups.Select(g => r.Extra.TryGetValue(g, out var v) ? string.Format(Inv, " {0:F2} |", v) : " - |")).AppendLine();
        }
    }

    public static string Json(IReadOnlyList<BenchResult> results, IReadOnlyDictionary<string, string> machine, IReadOnlyList<string> notes)
    {
        var doc = new JsonObject
        {
            ["machine"] = new JsonObject(machine.Select(kv => KeyValuePair.Create<string, JsonNode?>(kv.Key, kv.Value))),
            ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode)JsonValue.Create(n))]),
            ["results"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
            {
                ["section"] = r.Section,
                ["case"] = r.Case,
                ["variant"] = r.Variant,
                ["unit"] = r.Unit,
                ["median"] = Math.Round(r.Stats.Median, 3),
                ["min"] = Math.Round(r.Stats.Min, 3),
                ["max"] = Math.Round(r.Stats.Max, 3),
                ["repeats"] = r.Stats.Repeats,
                ["extra"] = new JsonObject(r.Extra.Select(kv => KeyValuePair.Create<string, JsonNode?>(kv.Key, Math.Round(kv.Value, 4)))),
            })]),
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static void Table(
        StringBuilder sb, IReadOnlyList<BenchResult> results, string section, string title, (string Header, string Key, string Format)[] extras, string numberFormat = "F1")
    {
        var rows = results.Where(r => r.Section == section).ToArray();
        if (rows.Length == 0) return;
        sb.AppendLine().AppendLine(title).AppendLine();
        sb.Append("| case | variant | median ± noise | min - max |").AppendJoin("", extras.Select(e => $" {e.Header} |")).AppendLine();
        sb.Append("|---|---|---:|---:|").AppendJoin("", extras.Select(_ => "---:|")).AppendLine();
        foreach (var r in rows)
        {
            sb.Append(Inv, $"| {r.Case} | {r.Variant} | {(numberFormat == "F1" ? Format(r.Stats) : r.Stats.Median.ToString(numberFormat, Inv))} | {r.Stats.Min.ToString(numberFormat, Inv)} - {r.Stats.Max.ToString(numberFormat, Inv)} |");
            foreach (var (_, key, format) in extras)
            {
                sb.Append(r.Extra.TryGetValue(key, out var v) ? " " + v.ToString(format, Inv) + " |" : " - |");
            }

            sb.AppendLine();
        }
    }

    private static string Format(Stats s) =>
        s.Repeats > 1 ? string.Format(Inv, "{0:F1} ±{1:F0}%", s.Median, s.NoisePercent) : s.Median.ToString("F1", Inv);

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
