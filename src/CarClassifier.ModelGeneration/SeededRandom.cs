namespace CarClassifier.ModelGeneration;

/// <summary>
/// xoshiro256** seeded through splitmix64: fast, and defined purely by integer operations, so a seed
/// gives the same stream on every machine and .NET version (System.Random makes no such promise).
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SeededRandom(ulong seed)
    {
        var state = seed;
        _s0 = SplitMix64(ref state);
        _s1 = SplitMix64(ref state);
        _s2 = SplitMix64(ref state);
        _s3 = SplitMix64(ref state);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Uniform in [-limit, limit). Built from 24 random bits and exact float arithmetic only (no
    /// log/sin as Box-Muller would need, whose last bit may differ between platforms), so weights,
    /// and thus the file's sha256, are identical everywhere.
    /// </summary>
    public float NextSymmetric(float limit)
    {
        var unit = (NextUInt64() >> 40) * (1f / (1 << 24));
        return ((2f * unit) - 1f) * limit;
    }

    public void FillSymmetric(Span<float> destination, float limit)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NextSymmetric(limit);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong value, int shift) => (value << shift) | (value >> (64 - shift));
}
