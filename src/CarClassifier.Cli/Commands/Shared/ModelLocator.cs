namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Turns a model name (a folder under models/) or a manifest path into a manifest path.</summary>
internal static class ModelLocator
{
    public static string ResolveManifest(string model)
    {
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(model);
        foreach (var root in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, "models", model, "manifest.json");
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"No model named '{model}': expected models/{model}/manifest.json (or pass a path to a manifest.json).");
    }
}
