namespace CarClassifier.Tests.Shared;

/// <summary>
/// The project's larger test corpus, <c>shared/testdata</c> beside the checkout (CI and the development machine have it;
/// a user's clone does not), and the repository's own small copies the default suite uses without it
/// (<c>samples/images</c>, <c>tests/testdata/edge</c>; see tests/testdata/SOURCES.md). Linked into each test project
/// that reads test files, so there is one rule for where they are and one reason printed when a test needs more.
/// </summary>
internal static class SharedTestData
{
    /// <summary>The one reason a test that needs the larger corpus prints when it skips.</summary>
    public const string AbsentReason =
        "needs the larger test corpus ../shared/testdata, which is not beside this clone (CI has it); the repository's samples cover the rest";

    /// <summary>The repository checkout (the folder with Serverless.sln) above the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static readonly Lazy<string?> SharedRoot = new(() => FindAbove(RepoRoot, Path.Combine("shared", "testdata")));

    /// <summary>…/shared/testdata above the checkout, or null in a clone alone.</summary>
    public static string? Root => SharedRoot.Value;

    public static bool Present => Root is not null;

    /// <summary>Photos: the shared corpus's 34, else the repository's 16 samples (byte-identical copies of some of them).</summary>
    public static string PhotosDirectory => Root is { } root ? Path.Combine(root, "photos") : Path.Combine(RepoRoot, "samples", "images");

    /// <summary>Format edge cases: the shared corpus's 60, else the repository's 42 (all but the 5 MB of EXIF orientation photos and one 0.5 MB ICC file).</summary>
    public static string EdgeDirectory => Root is { } root ? Path.Combine(root, "edge") : Path.Combine(RepoRoot, "tests", "testdata", "edge");

    /// <summary>Image files in a folder, sorted, without the SOURCES.md that documents them.</summary>
    public static IReadOnlyList<string> ImageFiles(string directory) =>
        [.. Directory.GetFiles(directory).Where(f => !f.EndsWith(".md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)];

    private static string? FindAbove(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }

        return null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"No repository checkout (Serverless.sln) above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that needs ../shared/testdata: skipped, with <see cref="SharedTestData.AbsentReason"/>, where it is absent.</summary>
public sealed class SharedTestDataFactAttribute : FactAttribute
{
    public SharedTestDataFactAttribute()
    {
        if (!SharedTestData.Present) Skip = SharedTestData.AbsentReason;
    }
}

/// <summary>A theory that needs ../shared/testdata: skipped as a whole (one line, no rows) where it is absent.</summary>
public sealed class SharedTestDataTheoryAttribute : TheoryAttribute
{
    public SharedTestDataTheoryAttribute()
    {
        if (!SharedTestData.Present) Skip = SharedTestData.AbsentReason;
    }
}
