namespace CarClassifier.Training.Data;

/// <summary>A scanned labelled folder: class names in index order, the usable images, and the files skipped with reasons.</summary>
public sealed record LabelledDataset(string Root, IReadOnlyList<string> Classes, IReadOnlyList<LabelledImage> Images, IReadOnlyList<SkippedFile> Skipped)
{
    public int CountOf(int classIndex) => Images.Count(i => i.ClassIndex == classIndex);

    /// <summary>
    /// sha256 over the sorted (class, file hash) pairs: the same photos under the same classes give the same
    /// fingerprint whatever their names or order, and it changes if any photo or label changes.
    /// </summary>
    public string Fingerprint()
    {
        var lines = Images.Select(i => $"{Classes[i.ClassIndex]}\t{i.Sha256}").Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }
}
