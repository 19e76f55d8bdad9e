namespace CarClassifier.Bench;

/// <summary>One benchmark photo: its path, bytes, size, and whether it is a real photo or a re-encoded resize of one.</summary>
internal sealed record PhotoFile(string Path, byte[] Bytes, int Width, int Height, bool Generated);
