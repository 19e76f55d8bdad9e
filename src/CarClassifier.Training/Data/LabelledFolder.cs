using System.Security.Cryptography;
using CarClassifier.Core.Imaging;

namespace CarClassifier.Training.Data;

/// <summary>
/// Reads a labelled folder in the ImageFolder convention: one sub-folder per class, files in nested folders belong to
/// the top-level class. Every file is hashed and its header probed with the serving limits, so unreadable files are
/// listed with reasons and the dataset's shape is checked before any feature is extracted.
/// </summary>
public static class LabelledFolder
{
    /// <summary>Notes that may sit next to the class folders (attributions, licences) without being reported.</summary>
    private static readonly string[] DocumentExtensions = [".md", ".txt", ".json", ".csv"];

    /// <summary>Scans <paramref name="root"/>; throws <see cref="DatasetException"/> if it cannot be used at all.</summary>
    public static async Task<LabelledDataset> ScanAsync(string root, ImageLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(limits);
        var full = Path.GetFullPath(root);
        if (File.Exists(full)) throw new DatasetException($"--data '{root}' is a file; it must be a folder with one sub-folder per class.");
        if (!Directory.Exists(full)) throw new DatasetException($"--data folder '{root}' does not exist.");

        var skipped = new List<SkippedFile>();
        foreach (var file in Directory.EnumerateFiles(full).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || DocumentExtensions.Contains(Path.GetExtension(name).ToLowerInvariant())) continue;
            skipped.Add(new SkippedFile(name, "not inside a class folder (put each image in a sub-folder named after its class)"));
        }

        var classes = Directory.EnumerateDirectories(full)
            .Select(Path.GetFileName)
            .Where(name => name is not null && !name.StartsWith('.'))
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (classes.Count == 0) throw new DatasetException($"--data folder '{root}' has no class sub-folders; make one sub-folder per class and put its images inside.");

        var images = new List<LabelledImage>();
        for (var classIndex = 0; classIndex < classes.Count; classIndex++)
        {
            var classFolder = Path.Combine(full, classes[classIndex]);
            var files = Directory.EnumerateFiles(classFolder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden })
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = Path.GetRelativePath(full, file);
                if (Path.GetFileName(file).StartsWith('.')) continue;
                byte[] bytes;
                try
                {
                    bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    skipped.Add(new SkippedFile(relative, $"cannot be read: {ex.Message}"));
                    continue;
                }

                try
                {
                    ImageHeaderProbe.Probe(bytes, limits);
                }
                catch (ImageRejectedException ex)
                {
                    skipped.Add(new SkippedFile(relative, ex.Message));
                    continue;
                }

                images.Add(new LabelledImage(file, relative, classIndex, Convert.ToHexStringLower(SHA256.HashData(bytes))));
            }
        }

        return new LabelledDataset(full, classes, images, skipped);
    }

    /// <summary>
    /// Checks a dataset can train a classifier: at least two classes, at least <paramref name="minPerClass"/> usable
    /// images in each, and no photo filed under two classes. Throws <see cref="DatasetException"/> listing every problem.
    /// </summary>
    public static void CheckTrainable(LabelledDataset dataset, int minPerClass = 2)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var problems = new List<string>();
        if (dataset.Classes.Count < 2)
        {
            problems.Add($"only one class ('{dataset.Classes[0]}'); a classifier needs at least two class folders");
        }

        foreach (var (name, index) in dataset.Classes.Select((name, index) => (name, index)))
        {
            var count = dataset.CountOf(index);
            if (count < minPerClass)
            {
                problems.Add($"class '{name}' has {count} usable image{(count == 1 ? "" : "s")}; each class needs at least {minPerClass}");
            }
        }

        problems.AddRange(ConflictingDuplicates(dataset));
        if (problems.Count == 0) return;
        var skipped = dataset.Skipped.Count == 0
            ? ""
            : $" Skipped as unreadable: {string.Join("; ", dataset.Skipped.Take(10).Select(s => $"{s.RelativePath} ({s.Reason})"))}{(dataset.Skipped.Count > 10 ? $"; and {dataset.Skipped.Count - 10} more" : "")}.";
        throw new DatasetException(string.Join("; ", problems) + "." + skipped);
    }

    /// <summary>Byte-identical images filed under different classes: one photo cannot teach two answers.</summary>
    public static IEnumerable<string> ConflictingDuplicates(LabelledDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Images
            .GroupBy(i => i.Sha256)
            .Where(g => g.Select(i => i.ClassIndex).Distinct().Count() > 1)
            .Select(g => "identical image filed under different classes: " + string.Join(", ", g.Select(i => i.RelativePath)));
    }
}
