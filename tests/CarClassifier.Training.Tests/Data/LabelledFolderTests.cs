using CarClassifier.Core.Imaging;
using CarClassifier.Training.Data;

namespace CarClassifier.Training.Tests.Data;

/// <summary>Bad labelled folders are caught while scanning, before any feature is extracted, with messages that say what to fix.</summary>
public sealed class LabelledFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("labelled-").FullName;

    [Fact]
    public async Task ScanAsync_MissingFolder_SaysItDoesNotExist()
    {
        var ex = await Assert.ThrowsAsync<DatasetException>(() => LabelledFolder.ScanAsync(Path.Combine(_root, "nope"), ImageLimits.Default));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_EmptyFolder_AsksForClassSubFolders()
    {
        var ex = await Assert.ThrowsAsync<DatasetException>(() => LabelledFolder.ScanAsync(_root, ImageLimits.Default));
        Assert.Contains("no class sub-folders", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckTrainable_SingleClass_NeedsTwoClasses()
    {
        Photo("car", "a.jpg", 0);
        Photo("car", "b.jpg", 1);
        var dataset = await LabelledFolder.ScanAsync(_root, ImageLimits.Default);

        var ex = Assert.Throws<DatasetException>(() => LabelledFolder.CheckTrainable(dataset));
        Assert.Contains("only one class ('car')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckTrainable_ClassWithOneImageAndAnEmptyClass_NamesBoth()
    {
        Photo("car", "a.jpg", 0);
        Photo("car", "b.jpg", 1);
        Photo("bike", "a.jpg", 2);
        Directory.CreateDirectory(Path.Combine(_root, "truck"));
        var dataset = await LabelledFolder.ScanAsync(_root, ImageLimits.Default);

        var ex = Assert.Throws<DatasetException>(() => LabelledFolder.CheckTrainable(dataset));
        Assert.Contains("class 'bike' has 1 usable image;", ex.Message, StringComparison.Ordinal);
        Assert.Contains("class 'truck' has 0 usable images", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'car'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckTrainable_SamePhotoUnderTwoClasses_ReportsBothPaths()
    {
        Photo("car", "a.jpg", 0);
        Photo("car", "b.jpg", 1);
        Photo("bike", "c.jpg", 2);
        Photo("bike", "same-as-car-a.jpg", 0);
        var dataset = await LabelledFolder.ScanAsync(_root, ImageLimits.Default);

        var ex = Assert.Throws<DatasetException>(() => LabelledFolder.CheckTrainable(dataset));
        Assert.Contains("identical image filed under different classes", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("bike", "same-as-car-a.jpg"), ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("car", "a.jpg"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_UnreadableFiles_AreListedWithReasonsAndSkipped_NestedFilesBelongToTheTopClass()
    {
        Photo("car", "a.jpg", 0);
        Photo(Path.Combine("car", "side views"), "b.jpg", 1);
        Photo("bike", "c.jpg", 2);
        Photo("bike", "d.jpg", 3);
        await File.WriteAllTextAsync(Path.Combine(_root, "bike", "notes.jpg"), "not a photo at all");
        await File.WriteAllBytesAsync(Path.Combine(_root, "bike", "empty.png"), []);
        await File.WriteAllBytesAsync(Path.Combine(_root, "stray.jpg"), File.ReadAllBytes(SamplePhoto(0)));
        await File.WriteAllTextAsync(Path.Combine(_root, "SOURCES.md"), "attributions");

        var dataset = await LabelledFolder.ScanAsync(_root, ImageLimits.Default);
        LabelledFolder.CheckTrainable(dataset);

        Assert.Equal(["bike", "car"], dataset.Classes);
        Assert.Equal(2, dataset.CountOf(1));
        Assert.Equal(4, dataset.Images.Count);
        var reasons = dataset.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);
        Assert.Equal(3, reasons.Count);
        Assert.Contains("not a recognised image format", reasons[Path.Combine("bike", "notes.jpg")], StringComparison.Ordinal);
        Assert.Contains("empty", reasons[Path.Combine("bike", "empty.png")], StringComparison.Ordinal);
        Assert.Contains("not inside a class folder", reasons["stray.jpg"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fingerprint_RenamingFiles_KeepsIt_RelabellingAPhoto_ChangesIt()
    {
        Photo("car", "a.jpg", 0);
        Photo("bike", "b.jpg", 1);
        var before = (await LabelledFolder.ScanAsync(_root, ImageLimits.Default)).Fingerprint();
        File.Move(Path.Combine(_root, "car", "a.jpg"), Path.Combine(_root, "car", "renamed.jpg"));
        var renamed = (await LabelledFolder.ScanAsync(_root, ImageLimits.Default)).Fingerprint();
        File.Move(Path.Combine(_root, "car", "renamed.jpg"), Path.Combine(_root, "bike", "moved.jpg"));
        var relabelled = (await LabelledFolder.ScanAsync(_root, ImageLimits.Default)).Fingerprint();

        Assert.Equal(before, renamed);
        Assert.NotEqual(before, relabelled);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string SamplePhoto(int index) =>
        Directory.GetFiles(Path.Combine(RepoPaths.SampleVehicles, "car")).Order(StringComparer.Ordinal).ElementAt(index);

    private void Photo(string folder, string name, int sample)
    {
        Directory.CreateDirectory(Path.Combine(_root, folder));
        File.Copy(SamplePhoto(sample), Path.Combine(_root, folder, name));
    }
}
