using CarClassifier.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace CarClassifier.Bench;

/// <summary>
/// The photos every decoder (ours and Pillow) decodes: three size classes of real JPEG photos from
/// shared/testdata/photos, topped up with deterministic photo-like files made by resizing real photos with
/// ImageSharp (bicubic, centre crop to the exact size) and re-encoding at JPEG quality 90. Generated files are
/// cached under .bench/photos and rebuilt only when missing. A clone without ../shared uses the repository's
/// samples/images instead (<see cref="SampleClasses"/>): the same three sizes, but its largest photo is 1920x1080, so the
/// 4032x3024 class is upscaled (smoother, cheaper to decode) and its numbers are not the documented ones.
/// </summary>
internal static class PhotoSet
{
    // (class, real photos of about that size, photos to resize to exactly the class size)
    private static readonly (string Name, int Width, int Height, string[] Real, string[] ResizedFrom)[] Classes =
    [
        ("640x480", 640, 480, ["car_mlnet_Tahoe.jpg"], ["other_mlnet_coffeepot2.jpg", "scene_mlnet_Intersection-Counts.jpg", "other_triton_mug.jpg"]),
        ("1920x1080", 1920, 1080, ["car_jetson_peds_1.jpg", "scene_jetson_peds_0.jpg"], ["other_mlnet_coffeepot2.jpg", "scene_mlnet_Intersection-Counts.jpg"]),
        ("4032x3024", 4032, 3024, ["other_mlnet_coffeepot2.jpg", "car_paddledet_car.jpg", "other_paddleclas_blured_demo.jpg"], ["other_mlnet_coffeepot2.jpg"]),
    ];

    /// <summary>The same classes from samples/images (16 photos, 256x256 to 1920x1080), for a clone alone.</summary>
    private static readonly (string Name, int Width, int Height, string[] Real, string[] ResizedFrom)[] SampleClasses =
    [
        ("640x480", 640, 480, ["car_mlnet_Tahoe.jpg"], ["car_mlnet_image1.jpg", "scene_ort_horse-cart.jpg", "scene_udacity_test1.jpg"]),
        ("1920x1080", 1920, 1080, ["car_jetson_peds_1.jpg"], ["car_mlnet_image1.jpg", "scene_ort_horse-cart.jpg"]),
        ("4032x3024", 4032, 3024, [], ["car_jetson_peds_1.jpg", "car_mlnet_image1.jpg", "scene_udacity_test1.jpg"]),
    ];

    /// <summary>../shared/testdata/photos beside the checkout, else the repository's samples/images.</summary>
    public static string DefaultFolder()
    {
        var shared = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "testdata", "photos"));
        return Directory.Exists(shared) ? shared : Path.Combine(RepoPaths.Root, "samples", "images");
    }

    public static IReadOnlyList<PhotoClass> Load(string photosFolder)
    {
        if (!Directory.Exists(photosFolder))
        {
            throw new DirectoryNotFoundException($"Photo folder '{photosFolder}' not found (pass --photos).");
        }

        var cache = Path.Combine(RepoPaths.Root, ".bench", "photos");
        Directory.CreateDirectory(cache);
        var result = new List<PhotoClass>();
        var classes = Classes.All(c => c.Real.Concat(c.ResizedFrom).All(f => File.Exists(Path.Combine(photosFolder, f)))) ? Classes : SampleClasses;
        foreach (var (name, width, height, real, resizedFrom) in classes)
        {
            var files = new List<PhotoFile>();
            foreach (var file in real)
            {
                files.Add(Read(Path.Combine(photosFolder, file), generated: false));
            }

            foreach (var file in resizedFrom)
            {
                var target = Path.Combine(cache, $"{Path.GetFileNameWithoutExtension(file)}_{width}x{height}_q90.jpg");
                if (!File.Exists(target)) Generate(Path.Combine(photosFolder, file), target, width, height);
                files.Add(Read(target, generated: true));
            }

            result.Add(new PhotoClass(name, files));
        }

        return result;
    }

    /// <summary>Name of the plumbing-only class: the 640x480 photos resized to the model's input, so decode costs ~0.</summary>
    public const string PlumbingOnlyClass = "224x224";

    /// <summary>
    /// The 640x480 class's photos resized to 224x224 (cached like the others). Only the plumbing section uses it: with
    /// decode at a fraction of a core-ms, what the host spends per image is the plumbing itself, and the subtraction
    /// of a decode figure measured under a different load no longer dominates the result.
    /// </summary>
    public static PhotoClass Small(IReadOnlyList<PhotoClass> photos)
    {
        var cache = Path.Combine(RepoPaths.Root, ".bench", "photos");
        Directory.CreateDirectory(cache);
        var source = photos.First(p => p.Name == "640x480");
        var files = new List<PhotoFile>();
        foreach (var photo in source.Files)
        {
            var target = Path.Combine(cache, $"{Path.GetFileNameWithoutExtension(photo.Path)}_224x224_q90.jpg");
            if (!File.Exists(target)) Generate(photo.Path, target, 224, 224);
            files.Add(Read(target, generated: true));
        }

        return new PhotoClass(PlumbingOnlyClass, files);
    }

    private static PhotoFile Read(string path, bool generated)
    {
        var bytes = File.ReadAllBytes(path);
        var header = ImageHeaderProbe.Probe(bytes, ImageLimits.Default);
        return new PhotoFile(path, bytes, header.StoredWidth, header.StoredHeight, generated);
    }

    private static void Generate(string source, string target, int width, int height)
    {
        using var image = Image.Load(source);
        image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(width, height), Mode = ResizeMode.Crop, Sampler = KnownResamplers.Bicubic }));
        var temp = target + ".tmp";
        image.SaveAsJpeg(temp, new JpegEncoder { Quality = 90 });
        File.Move(temp, target, overwrite: true);
    }
}
