using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CarClassifier.Core.Inference;

/// <summary>
/// What the NVIDIA driver in this container says about itself, for the start-up line that explains why ONNX Runtime's
/// CUDA provider did not start: no driver mounted, a driver too old for CUDA 13 (ORT 1.31 links libcudart.so.13), or
/// NVIDIA's forward-compatibility driver refused. Probed only on that failure path.
/// </summary>
/// <param name="KernelModuleVersion">The host's kernel driver (e.g. 550.54.15), from /proc/driver/nvidia/version.</param>
/// <param name="DriverApiVersion">cuDriverGetVersion from the libcuda.so.1 this process loads (12040 = CUDA 12.4); null without one.</param>
/// <param name="InitError">cuInit's error name (CUDA_ERROR_...), null when it succeeded or was not called.</param>
/// <param name="CompatDirectory">The forward-compatibility folder on LD_LIBRARY_PATH (…/compat), if any.</param>
public sealed record CudaDriverReport(string? KernelModuleVersion, int? DriverApiVersion, string? InitError, string? CompatDirectory)
{
    /// <summary>CUDA 13.0 in cuDriverGetVersion's encoding (1000 × major + 10 × minor); needs driver r580 or newer.</summary>
    public const int Cuda13 = 13000;

    private static readonly Regex KernelModule = new(@"Kernel Module\s+(?:for \S+\s+)?(?<version>\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant);

    /// <summary>Why the CUDA provider cannot run here, in words that say what to change.</summary>
    public string Reason => this switch
    {
        { DriverApiVersion: null } =>
            "no NVIDIA driver in this container (libcuda.so.1 not found): the replica is not on a GPU workload profile, or no GPU is attached",
        { InitError: "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH" } =>
            $"the forward-compatibility driver in {CompatDirectory ?? "the image"} does not match the host's kernel driver: the host is newer than the package, so take the compat folder off LD_LIBRARY_PATH (docs/DEPLOY.md, GPU drivers)",
        { InitError: "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE" } =>
            "this GPU does not support CUDA forward compatibility (NVIDIA data-center GPUs only), so CUDA 13 needs a host driver r580 or newer",
        { DriverApiVersion: < Cuda13 } =>
            $"the driver supports CUDA {Format(DriverApiVersion.Value)} but ONNX Runtime's CUDA provider is built for CUDA 13, which needs driver r580 or newer, or NVIDIA's forward-compatibility package (cuda-compat-13-0) first on LD_LIBRARY_PATH{(CompatDirectory is null ? " (none is)" : $" ({CompatDirectory} is, and was not used)")}",
        { InitError: not null } => $"the CUDA driver failed to initialise ({InitError})",
        _ => $"the driver supports CUDA {Format(DriverApiVersion.Value)}, enough for CUDA 13: look at the CUDA or cuDNN libraries the error names",
    };

    /// <summary>Reads the kernel driver version and asks libcuda.so.1 for its CUDA version and whether it initialises.</summary>
    public static CudaDriverReport Probe()
    {
        var kernel = ReadKernelModuleVersion();
        var compat = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => d.TrimEnd('/').EndsWith("/compat", StringComparison.Ordinal) && Directory.Exists(d));
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libcuda.so.1", out var libcuda))
        {
            return new CudaDriverReport(kernel, null, null, compat);
        }

        var (init, version) = Query(libcuda);
        return new CudaDriverReport(kernel, version, init == 0 ? null : ErrorName(libcuda, init), compat);
    }

    public override string ToString() =>
        $"NVIDIA kernel driver {KernelModuleVersion ?? "unknown"}, CUDA driver {(DriverApiVersion is { } v ? Format(v) : "absent")}: {Reason}";

    private static string Format(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");

    private static string? ReadKernelModuleVersion()
    {
        try
        {
            if (File.Exists("/proc/driver/nvidia/version"))
            {
                var match = KernelModule.Match(File.ReadAllText("/proc/driver/nvidia/version"));
                if (match.Success) return match.Groups["version"].Value;
            }

            return File.Exists("/sys/module/nvidia/version") ? File.ReadAllText("/sys/module/nvidia/version").Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static unsafe (int Init, int? Version) Query(IntPtr libcuda)
    {
        // CUresult cuInit(unsigned int flags); CUresult cuDriverGetVersion(int* version): the CUDA driver API, which every
        // driver since CUDA 2.2 exports under these names.
        var cuInit = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(libcuda, "cuInit");
        var cuDriverGetVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(libcuda, "cuDriverGetVersion");
        int version = 0;
        var init = cuInit(0);
        return (init, cuDriverGetVersion(&version) == 0 ? version : null);
    }

    private static unsafe string ErrorName(IntPtr libcuda, int result)
    {
        // CUresult cuGetErrorName(CUresult error, const char** name)
        if (NativeLibrary.TryGetExport(libcuda, "cuGetErrorName", out var export))
        {
            byte* name = null;
            if (((delegate* unmanaged<int, byte**, int>)export)(result, &name) == 0 && name is not null)
            {
                return Marshal.PtrToStringUTF8((IntPtr)name) ?? result.ToString(CultureInfo.InvariantCulture);
            }
        }

        return $"CUresult {result.ToString(CultureInfo.InvariantCulture)}";
    }
}
