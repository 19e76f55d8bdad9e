namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// The test images: ../shared/testdata when it is beside the checkout, else the repository's own copies
/// (<see cref="SharedTestData"/>). Tests that name a file only the larger corpus has are
/// <see cref="SharedTestDataTheoryAttribute"/>s, or keep their rows to <see cref="HasEdge"/>/<see cref="HasPhoto"/> files.
/// </summary>
internal static class TestData
{
    public static string PhotosDirectory => SharedTestData.PhotosDirectory;

    public static string EdgeDirectory => SharedTestData.EdgeDirectory;

    public static string Photo(string name) => Path.Combine(PhotosDirectory, name);

    public static string Edge(string name) => Path.Combine(EdgeDirectory, name);

    public static bool HasPhoto(string name) => File.Exists(Photo(name));

    public static bool HasEdge(string name) => File.Exists(Edge(name));

    /// <summary>File names (not paths) of every photo, sorted.</summary>
    public static IReadOnlyList<string> PhotoNames() => Names(PhotosDirectory);

    /// <summary>File names (not paths) of every edge-case file, sorted.</summary>
    public static IReadOnlyList<string> EdgeNames() => Names(EdgeDirectory);

    /// <summary>xunit member data: one row per photo name.</summary>
    public static TheoryData<string> PhotoData()
    {
        var data = new TheoryData<string>();
        foreach (string name in PhotoNames())
        {
            data.Add(name);
        }

        return data;
    }

    private static List<string> Names(string directory) => [.. SharedTestData.ImageFiles(directory).Select(Path.GetFileName).OfType<string>()];
}
