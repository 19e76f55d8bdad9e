using System.Runtime.InteropServices;
using CarClassifier.Core.Inference;

namespace CarClassifier.Core.Tests.Inference;

/// <summary>The start-up line a GPU replica prints when CUDA does not start: it names the driver and what to change.</summary>
public sealed class CudaDriverReportTests
{
    [Fact]
    public void Reason_DriverOlderThanCuda13_NamesItsVersionR580AndTheCompatPackage()
    {
        // A serverless GPU host on CUDA 12.4 (driver r550), the image's compat folder not on the library path.
        var report = new CudaDriverReport("550.54.15", 12040, null, null);

        var line = report.ToString();

        Assert.Contains("550.54.15", line, StringComparison.Ordinal);
        Assert.Contains("CUDA 12.4", line, StringComparison.Ordinal);
        Assert.Contains("r580", line, StringComparison.Ordinal);
        Assert.Contains("cuda-compat-13-0", line, StringComparison.Ordinal);
        Assert.Contains("(none is)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_CompatDriverRefusedAsMismatch_SaysToTakeTheCompatFolderOffThePath()
    {
        var report = new CudaDriverReport("590.10", 13000, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", "/usr/local/cuda-13.0/compat");

        Assert.Contains("take the compat folder off LD_LIBRARY_PATH", report.Reason, StringComparison.Ordinal);
        Assert.Contains("/usr/local/cuda-13.0/compat", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_CompatNotSupportedOnThisGpu_SaysDataCenterOnly()
    {
        var report = new CudaDriverReport("535.161.08", 13000, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", "/usr/local/cuda-13.0/compat");

        Assert.Contains("data-center GPUs only", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_DriverNewEnough_PointsAtTheLibrariesInstead()
    {
        var report = new CudaDriverReport("580.65.06", 13000, null, null);

        Assert.Contains("enough for CUDA 13", report.Reason, StringComparison.Ordinal);
        Assert.Contains("CUDA 13.0", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_OnAMachineWithoutAnNvidiaDriver_SaysNoDriverIsMounted()
    {
        // The dev VM and CI have no GPU; where a driver is present this case does not apply.
        if (NativeLibrary.TryLoad("libcuda.so.1", out _))
        {
            Console.WriteLine("libcuda.so.1 is present here; the no-driver case is not checked.");
            return;
        }

        var report = CudaDriverReport.Probe();

        Assert.Null(report.DriverApiVersion);
        Assert.Contains("no NVIDIA driver in this container", report.ToString(), StringComparison.Ordinal);
    }
}
