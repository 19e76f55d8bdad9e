using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace CarClassifier.Core.Tests.Imaging;

/// <summary>
/// Seeded fuzzing of the header probe and every decoder (issue 15): bit flips, chunk and segment lengths overwritten with
/// boundary values, truncations and duplicated chunks, applied to images generated here and to the edge files and
/// photos (../shared/testdata when present, else the repository's copies). The only outcomes allowed are a decoded
/// tensor or an <see cref="ImageRejectedException"/> whose reason is in words. A failure prints the seed and case
/// number, which reproduce it exactly (<see cref="Mutate"/> is a pure function of them). There is no time limit per
/// case (the machine may be loaded): a decode that never returns is caught by the run's hang timeout
/// (scripts/test.sh: --blame-hang-timeout), and FUZZ_TRACE=file names the case that was running.
/// </summary>
public sealed partial class DecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Limits for fuzzing: a mutated size field must not turn a 64x64 image into seconds of legitimate decoding.</summary>
    private static readonly ImageLimits Limits = ImageLimits.Default with { MaxPixels = 2_000_000, MaxDimension = 4_000 };

    private static readonly uint[] Boundaries = [0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFF0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF];

    [Fact]
    public void GeneratedImages_1200Mutations_OnlyRejectionsOrTensors()
    {
        Run(Generated(), seed: 15, cases: 1200);
    }

    [Fact]
    public void EdgeFilesAndPhotos_1000Mutations_OnlyRejectionsOrTensors()
    {
        var corpus = FileCorpus(maxBytes: 200_000);
        Assert.True(corpus.Count >= 30, $"expected the edge files and photos in {TestData.EdgeDirectory} and {TestData.PhotosDirectory}, found {corpus.Count} under 200 KB");

        Run(corpus, seed: 1515, cases: 1000);
    }

    [Fact]
    [Trait("Category", "Long")]
    public void Everything_50000Mutations_OnlyRejectionsOrTensors()
    {
        var corpus = Generated().Concat(FileCorpus(maxBytes: 4_000_000)).ToList();
        Run(corpus, seed: Environment.GetEnvironmentVariable("FUZZ_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 150015, cases: 50_000);
    }

    /// <summary>The mutated file for case <paramref name="index"/> of a run: a pure function of the seed and index.</summary>
    internal static (string Description, byte[] Bytes) Mutate(IReadOnlyList<(string Name, byte[] Bytes)> corpus, int seed, int index)
    {
        var random = new Random(HashCode.Combine(seed, index) & int.MaxValue);
        var (name, original) = corpus[random.Next(corpus.Count)];
        byte[] bytes = (byte[])original.Clone();
        int operations = 1 + random.Next(3);
        var steps = new List<string>();
        for (int i = 0; i < operations && bytes.Length > 0; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                {
                    int at = random.Next(bytes.Length);
                    int bit = random.Next(8);
                    bytes[at] ^= (byte)(1 << bit);
                    steps.Add($"flip {at}.{bit}");
                    break;
                }

                case 1:
                {
                    var lengths = LengthFields(bytes);
                    if (lengths.Count == 0) goto case 2;
                    var (at, width, bigEndian) = lengths[random.Next(lengths.Count)];
                    uint value = Boundaries[random.Next(Boundaries.Length)];
                    WriteLength(bytes, at, width, bigEndian, value);
                    steps.Add($"length@{at}={value:X}");
                    break;
                }

                case 2:
                {
                    int at = random.Next(Math.Max(1, bytes.Length - 4));
                    uint value = Boundaries[random.Next(Boundaries.Length)];
                    WriteLength(bytes, at, Math.Min(4, bytes.Length - at), random.Next(2) == 0, value);
                    steps.Add($"word@{at}={value:X}");
                    break;
                }

                case 3:
                {
                    int keep = random.Next(bytes.Length);
                    bytes = bytes[..keep];
                    steps.Add($"truncate {keep}");
                    break;
                }

                case 4:
                {
                    var chunks = Chunks(bytes);
                    int start, length;
                    if (chunks.Count > 0)
                    {
                        (start, length) = chunks[random.Next(chunks.Count)];
                    }
                    else
                    {
                        start = random.Next(bytes.Length);
                        length = random.Next(Math.Min(64, bytes.Length - start) + 1);
                    }

                    int copies = random.Next(4) == 0 ? 50 : 1;
                    var inserted = new List<byte>(bytes.Length + (copies * length));
                    inserted.AddRange(bytes[..(start + length)]);
                    for (int c = 0; c < copies; c++) inserted.AddRange(bytes.AsSpan(start, length).ToArray());
                    inserted.AddRange(bytes[(start + length)..]);
                    bytes = [.. inserted];
                    steps.Add($"duplicate {start}+{length} x{copies}");
                    break;
                }

                default:
                {
                    int at = random.Next(bytes.Length);
                    int count = Math.Min(1 + random.Next(16), bytes.Length - at);
                    random.NextBytes(bytes.AsSpan(at, count));
                    steps.Add($"random {at}+{count}");
                    break;
                }
            }
        }

        return ($"{name} [{string.Join(", ", steps)}]", bytes);
    }

    private void Run(IReadOnlyList<(string Name, byte[] Bytes)> corpus, int seed, int cases)
    {
        IImageDecoder[] decoders = [.. ImageDecoderFactory.Names.Select(ImageDecoderFactory.Create)];
        var tensor = new float[Decoding.Recipe.ImageTensorLength];
        var problems = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        string? trace = Environment.GetEnvironmentVariable("FUZZ_TRACE");
        for (int index = 0; index < cases; index++)
        {
            var (description, bytes) = Mutate(corpus, seed, index);
            if (trace is not null) File.WriteAllText(trace, $"seed {seed} case {index}: {description}");
            Check($"probe", () => ImageHeaderProbe.Probe(bytes, Limits));
            foreach (var decoder in decoders)
            {
                Check(decoder.Name, () => decoder.DecodeInto(bytes, Decoding.Recipe, Limits, tensor));
            }

            void Check(string what, Action action)
            {
                string outcome;
                try
                {
                    action();
                    outcome = "ok";
                }
                catch (ImageRejectedException ex)
                {
                    outcome = ex.Kind.ToString();
                    if (ExceptionName().IsMatch(ex.Message))
                    {
                        problems.Add($"seed {seed} case {index} {what}: reason names an exception: {ex.Message} ({description})");
                    }
                }
                catch (Exception ex)
                {
                    outcome = ex.GetType().Name;
                    problems.Add($"seed {seed} case {index} {what}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]} ({description})");
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }

        output.WriteLine($"{cases} cases from {corpus.Count} files, seed {seed}, {clock.Elapsed.TotalSeconds:F1} s; outcomes: "
            + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));
        Assert.True(problems.Count == 0, $"{problems.Count} escapes:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(40))}");
    }

    /// <summary>Small valid images of every format, plus the named hostile files: the corpus a clone without ../shared has.</summary>
    private static List<(string Name, byte[] Bytes)> Generated()
    {
        using var image = new Image<Rgba32>(48, 32);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                image[x, y] = new Rgba32((byte)(x * 5), (byte)(y * 7), (byte)((x + y) * 3), (byte)(255 - x));
            }
        }

        var corpus = new List<(string, byte[])>
        {
            ("gen.png", Encode(image, new PngEncoder())),
            ("gen-interlaced.png", Encode(image, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 })),
            ("gen.jpg", Encode(image, new JpegEncoder { Quality = 90 })),
            ("gen.gif", Encode(image, new GifEncoder())),
            ("gen.bmp", Encode(image, new BmpEncoder())),
            ("gen-lossy.webp", Encode(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy })),
            ("gen-lossless.webp", Encode(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless })),
            ("gen.tif", Encode(image, new TiffEncoder())),
            ("gen-deflate.tif", Encode(image, new TiffEncoder { Compression = SixLabors.ImageSharp.Formats.Tiff.Constants.TiffCompression.Deflate })),
            ("gen-progressive.jpg", ProgressiveJpeg.WithManyScans(32, 32)),
            ("gen-orientation.png", GeneratedImages.PngTopHalfRedWithOrientation(20, 10, 6)),
        };
        corpus.AddRange(HostileFiles.All().Where(f => f.Bytes.Length < 100_000));
        return corpus;
    }

    private static List<(string Name, byte[] Bytes)> FileCorpus(int maxBytes)
    {
        var corpus = new List<(string, byte[])>();
        foreach (string directory in new[] { TestData.EdgeDirectory, TestData.PhotosDirectory })
        {
            foreach (string file in SharedTestData.ImageFiles(directory))
            {
                if (new FileInfo(file).Length <= maxBytes) corpus.Add((Path.GetFileName(file), File.ReadAllBytes(file)));
            }
        }

        return corpus;
    }

    private static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>Where the format keeps its chunk or segment lengths: PNG chunks, RIFF chunks, JPEG segments (2 bytes).</summary>
    private static List<(int At, int Width, bool BigEndian)> LengthFields(byte[] bytes)
    {
        var fields = new List<(int, int, bool)>();
        foreach (var (start, _) in Chunks(bytes))
        {
            switch (ImageFormatSniffer.Detect(bytes))
            {
                case ImageFormat.Png: fields.Add((start, 4, true)); break;
                case ImageFormat.Webp: fields.Add((start + 4, 4, false)); break;
                case ImageFormat.Jpeg: fields.Add((start + 2, 2, true)); break;
                default: break;
            }
        }

        if (ImageFormatSniffer.Detect(bytes) == ImageFormat.Tiff && bytes.Length >= 8)
        {
            fields.Add((4, 4, bytes[0] == 'M'));
            for (int at = 18; at + 4 <= Math.Min(bytes.Length, 400); at += 12) fields.Add((at, 4, bytes[0] == 'M'));
        }

        return fields;
    }

    /// <summary>(start, length) of each chunk or segment, header included, as far as the structure can be walked.</summary>
    private static List<(int Start, int Length)> Chunks(byte[] bytes)
    {
        var chunks = new List<(int, int)>();
        switch (ImageFormatSniffer.Detect(bytes))
        {
            case ImageFormat.Png:
                for (long at = 8; at + 12 <= bytes.Length && chunks.Count < 64;)
                {
                    long length = 12L + BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
                    if (at + length > bytes.Length) break;
                    chunks.Add(((int)at, (int)length));
                    at += length;
                }

                break;
            case ImageFormat.Webp:
                for (long at = 12; at + 8 <= bytes.Length && chunks.Count < 64;)
                {
                    long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + 4));
                    long length = 8 + size + (size & 1);
                    if (at + length > bytes.Length) break;
                    chunks.Add(((int)at, (int)length));
                    at += length;
                }

                break;
            case ImageFormat.Jpeg:
                for (int at = 2; at + 4 <= bytes.Length && bytes[at] == 0xFF && chunks.Count < 64;)
                {
                    int length = 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
                    if (at + length > bytes.Length) break;
                    chunks.Add((at, length));
                    if (bytes[at + 1] == 0xDA) break; // entropy-coded data follows
                    at += length;
                }

                break;
            default:
                break;
        }

        return chunks;
    }

    private static void WriteLength(byte[] bytes, int at, int width, bool bigEndian, uint value)
    {
        if (at + width > bytes.Length) return;
        if (width == 2)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)value);
            else BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)value);
        }
        else if (width == 4)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), value);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        }
        else
        {
            for (int i = 0; i < width; i++) bytes[at + i] = (byte)(value >> (8 * i));
        }
    }

    [GeneratedRegex(@"[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex ExceptionName();
}
