using System.Globalization;
using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using CarClassifier.Core.Tests.Imaging;

// decode-memory gen <dir> <side>: writes one image per format and variant, side x side.
// decode-memory <decoder> <file> <warm-up file>: decodes the warm-up file, resets the peak resident set
// (/proc/self/clear_refs), decodes <file> once and prints the peak minus the resident set before, per pixel.
// One measurement per process, so nothing cached by an earlier decode hides the cost (scripts/decode-memory.sh).
if (args.Length == 3 && args[0] == "gen")
{
    int side = int.Parse(args[2], CultureInfo.InvariantCulture);
    Directory.CreateDirectory(args[1]);
    using var image = new Image<Rgba64>(side, side);
    image.ProcessPixelRows(rows =>
    {
        for (int y = 0; y < rows.Height; y++)
        {
            var row = rows.GetRowSpan(y);
            for (int x = 0; x < row.Length; x++)
            {
                row[x] = new Rgba64((ushort)(x * 37), (ushort)(y * 91), (ushort)((x ^ y) * 13), 65535);
            }
        }
    });
    var encoders = new (string Name, IImageEncoder Encoder)[]
    {
        ("png16-adam7.png", new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha, InterlaceMethod = PngInterlaceMode.Adam7 }),
        ("png16.png", new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha }),
        ("png8-rgba.png", new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.RgbWithAlpha }),
        ("png8-rgb-adam7.png", new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Rgb, InterlaceMethod = PngInterlaceMode.Adam7 }),
        ("png8-grey.png", new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Grayscale }),
        ("baseline.jpg", new JpegEncoder { Quality = 90 }),
        ("palette.gif", new GifEncoder()),
        ("rgb24.bmp", new BmpEncoder()),
        ("lossy.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }),
        ("lossless.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless, Method = WebpEncodingMethod.Fastest }),
        ("uncompressed.tif", new TiffEncoder()),
    };
    foreach (var (name, encoder) in encoders)
    {
        image.Save(Path.Combine(args[1], name), encoder);
    }

    return 0;
}

// decode-memory gen-metadata <dir>: writes issue 21's metadata bombs (red 64x64 pictures under hostile EXIF, ICC or
// text), and warm-up files warm.jpg and warm.png, for the same per-process measurement (scripts/decode-memory.sh metadata).
if (args.Length == 2 && args[0] == "gen-metadata")
{
    Directory.CreateDirectory(args[1]);
    var bombs = new (string Name, byte[] Bytes)[]
    {
        ("jpeg-exif-4000-entries-sharing-12KB.jpg", AttackerFiles.JpegWithExif(AttackerFiles.ExifSharedRegionBomb())),
        ("jpeg-13-app1-of-5000-entries.jpg", AttackerFiles.JpegWithSegments(
            Enumerable.Range(0, 13).Select(_ => ((byte)0xE1, AttackerFiles.ExifManyTinyEntries(5000))).ToArray())),
        ("jpeg-600-icc-chunks.jpg", AttackerFiles.JpegWithIccChunks(600)),
        ("png-exif-65535-tiny-entries.png", AttackerFiles.PngWithExif(AttackerFiles.ExifManyTinyEntries(65_535))),
        ("png-exif-4000-entries-sharing-12KB.png", AttackerFiles.PngWithExif(AttackerFiles.ExifSharedRegionBomb())),
        ("png-40-ztxt-of-1MB.png", AttackerFiles.PngWithDeflatedText(40)),
        ("warm.jpg", GeneratedImages.Jpeg(64, 64, new Rgb24(0, 0, 255))),
        ("warm.png", GeneratedImages.Png(64, 64, new Rgba32(0, 0, 255, 255))),
    };
    foreach (var (name, content) in bombs)
    {
        File.WriteAllBytes(Path.Combine(args[1], name), content);
    }

    return 0;
}

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: decode-memory gen <dir> <side> | decode-memory <decoder> <file> <warm-up file>");
    return 2;
}

var decoder = ImageDecoderFactory.Create(args[0]);
var recipe = new PreprocessRecipe();
var tensor = new float[recipe.ImageTensorLength];
var limits = new ImageLimits { MaxPixels = 100_000_000 };
var bytes = File.ReadAllBytes(args[1]);
decoder.DecodeInto(File.ReadAllBytes(args[2]), recipe, limits, tensor);
GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();
long before = Status("VmRSS:");
File.WriteAllText("/proc/self/clear_refs", "5");
var header = ImageHeaderProbe.Probe(bytes, limits);
decoder.DecodeInto(bytes, recipe, limits, tensor);
long added = Status("VmHWM:") - before;
double pixels = (double)header.StoredWidth * header.StoredHeight;
long estimate = DecodeMemoryEstimate.Bytes(decoder.Name, header, bytes, recipe);
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"| {decoder.Name} | {Path.GetFileName(args[1])} | {header.StoredWidth}x{header.StoredHeight} | {added / 1048576} MiB | {added / pixels:F2} | {(estimate - DecodeMemoryEstimate.FixedBytes) / pixels:F2} |"));
return 0;

static long Status(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith(field, StringComparison.Ordinal))
        {
            return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    throw new InvalidOperationException($"/proc/self/status has no {field}");
}
