using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Bench;

/// <summary>The peer, side by side in the same run: bench/pillow_bench.py on the same files with the same budgets.</summary>
internal static class PillowBench
{
    private static bool HasPillow(string python)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(python) { ArgumentList = { "-c", "import PIL" }, RedirectStandardError = true });
            if (p is null) return false;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static IReadOnlyList<BenchResult> Run(BenchSettings settings, IReadOnlyList<PhotoClass> photos, Action<string> note)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pillow_bench.py");
        if (!File.Exists(script)) script = Path.Combine(RepoPaths.Root, "bench", "pillow_bench.py");
        var spec = new JsonObject
        {
            ["classes"] = new JsonObject(photos.Select(p => KeyValuePair.Create<string, JsonNode?>(
                p.Name, new JsonArray([.. p.Files.Select(f => (JsonNode)JsonValue.Create(f.Path))])))),
            ["warmup"] = settings.Warmup.TotalSeconds,
            ["budget"] = settings.DecodeBudget.TotalSeconds,
            ["repeats"] = settings.Repeats,
            ["minCalls"] = settings.Quick ? 1 : photos.Max(p => p.Files.Count),
            ["short"] = new PreprocessRecipe().ResizeShorterSide,
            ["crop"] = new PreprocessRecipe().CropWidth,
            ["oversample"] = settings.Oversample,
        };
        var specPath = Path.Combine(Path.GetTempPath(), $"carclass-pillow-{Environment.ProcessId}.json");
        File.WriteAllText(specPath, spec.ToJsonString());
        try
        {
            // pyenv shims often shadow Debian's python3, which is the one python3-pil installs into.
            var python = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(HasPillow) ?? "python3";
            var start = new ProcessStartInfo(python) { ArgumentList = { script, specPath }, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                note($"Pillow peer skipped: pillow_bench.py exited {process.ExitCode}: {stderr.Result.Trim()} (install python3-pil).");
                return [];
            }

            var doc = JsonNode.Parse(stdout)!;
            note($"Pillow {doc["pillow"]}, numpy {doc["numpy"]}");
            return [.. doc["results"]!.AsArray().Select(r => new BenchResult(
                "decode", (string)r!["case"]!, (string)r["variant"]!, "images/s/core",
                new Stats((double)r["median"]!, (double)r["min"]!, (double)r["max"]!, (int)r["repeats"]!)))];
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or JsonException)
        {
            note($"Pillow peer skipped: {ex.Message}");
            return [];
        }
        finally
        {
            File.Delete(specPath);
        }
    }
}
