using CarClassifier.Core.Models;

namespace CarClassifier.Core.Tests.Models;

/// <summary>Checks every manifest checked in under models/.</summary>
public sealed class ModelManifestFilesTests
{
    public static TheoryData<string> ManifestNames() => new(ListModelNames());

    private static List<string> ListModelNames() =>
        Directory.GetDirectories(RepoPaths.ModelsFolder)
            .Where(folder => File.Exists(Path.Combine(folder, "manifest.json")))
            .Select(folder => Path.GetFileName(folder))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [MemberData(nameof(ManifestNames))]
    public async Task LoadAsync_CheckedInManifest_ParsesValidatesAndHasMatchingLabels(string modelName)
    {
        // Arrange
        var path = RepoPaths.Manifest(modelName);

        // Act
        var manifest = await ModelManifest.LoadAsync(path);
        var labels = await ModelStore.LoadLabelsAsync(path, manifest);

        // Assert
        Assert.Equal(modelName, manifest.Name);
        Assert.Equal(manifest.Output.Shape[1], labels.Count);
        Assert.Equal(-1, manifest.Input.Shape[0]);
        Assert.True(manifest.SizeBytes > 0);
    }

    [Fact]
    public async Task LoadAsync_AllCheckedInManifests_IncludeTheThreeShippedModelsWithDistinctFiles()
    {
        // Arrange
        var names = ListModelNames();

        // Act
        var files = new List<string>();
        foreach (var name in names) files.Add((await ModelManifest.LoadAsync(RepoPaths.Manifest(name))).File);

        // Assert
        Assert.Contains("resnet50-v1-12", names);
        Assert.Contains("resnet50-generated", names);
        Assert.Contains("color-tiny", names);
        Assert.Equal(files.Count, files.Distinct(StringComparer.Ordinal).Count());
    }
}
