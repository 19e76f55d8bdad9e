namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Locates the shared test images: walks up from the test binaries to the folder that contains
/// <c>shared/testdata</c> (the parent of the repository checkout).
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>…/shared/testdata.</summary>
    public static string Root => RootPath.Value;

    public static string PhotosDirectory => Path.Combine(Root, "photos");

    public static string EdgeDirectory => Path.Combine(Root, "edge");

    public static string Photo(string name) => Path.Combine(PhotosDirectory, name);

    public static string Edge(string name) => Path.Combine(EdgeDirectory, name);

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

    private static List<string> Names(string directory) =>
        Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "testdata");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No shared/testdata folder above {AppContext.BaseDirectory}.");
    }
}
