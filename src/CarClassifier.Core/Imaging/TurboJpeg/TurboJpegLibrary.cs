using System.Runtime.InteropServices;

namespace CarClassifier.Core.Imaging.TurboJpeg;

/// <summary>
/// The system's TurboJPEG library (libjpeg-turbo's C API, Debian package <c>libturbojpeg0</c>), loaded once on first use.
/// Bound through function pointers rather than <c>DllImport</c> so a machine without the library gets
/// <see cref="IsAvailable"/> false and a reason instead of a <see cref="DllNotFoundException"/> at the first decode.
/// Only the TurboJPEG 2.x entry points are used, so any libjpeg-turbo from 2.0 on serves.
/// </summary>
internal static unsafe class TurboJpegLibrary
{
    // turbojpeg.h: enum TJPF, TJCS and the TJFLAG_* values.
    public const int PixelFormatRgba = 7;
    public const int ColorspaceCmyk = 3;
    public const int ColorspaceYcck = 4;

    /// <summary>Treat libjpeg warnings (corrupt data it would paper over with grey) as errors.</summary>
    public const int FlagStopOnWarning = 8192;

    /// <summary><c>tjGetErrorCode</c>: the last error was a warning (libjpeg recovered from corrupt data).</summary>
    public const int ErrorWarning = 0;

    /// <summary>Refuse progressive JPEGs with more than 500 scans: a few kilobytes of them can cost minutes of CPU.</summary>
    public const int FlagLimitScans = 32768;

    private static readonly Lazy<Api?> Loaded = new(Load);
    private static string _unavailableReason = "";

    /// <summary>Sonames tried in order: Debian/Ubuntu and Fedora ship <c>libturbojpeg.so.0</c>; the others cover dev installs and macOS.</summary>
    private static readonly string[] Candidates = ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib"];

    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Why the library could not be used (empty when it can).</summary>
    public static string UnavailableReason => Loaded.Value is null ? _unavailableReason : "";

    public static Api Functions => Loaded.Value ?? throw new InvalidOperationException($"TurboJPEG is not available: {_unavailableReason}");

    private static Api? Load()
    {
        if (OperatingSystem.IsWindows())
        {
            // The API takes C "unsigned long" sizes, 32-bit on Windows and 64-bit on LP64 systems; only the latter is bound.
            _unavailableReason = "the TurboJPEG binding is for Linux and macOS";
            return null;
        }

        foreach (string name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(TurboJpegLibrary).Assembly, null, out IntPtr handle))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "tjInitDecompress", out IntPtr init)
                && NativeLibrary.TryGetExport(handle, "tjDecompressHeader3", out IntPtr header)
                && NativeLibrary.TryGetExport(handle, "tjDecompress2", out IntPtr decompress)
                && NativeLibrary.TryGetExport(handle, "tjGetErrorStr2", out IntPtr errorText)
                && NativeLibrary.TryGetExport(handle, "tjGetErrorCode", out IntPtr errorCode)
                && NativeLibrary.TryGetExport(handle, "tjDestroy", out IntPtr destroy))
            {
                return new Api(
                    (delegate* unmanaged<IntPtr>)init,
                    (delegate* unmanaged<IntPtr, byte*, nuint, int*, int*, int*, int*, int>)header,
                    (delegate* unmanaged<IntPtr, byte*, nuint, byte*, int, int, int, int, int, int>)decompress,
                    (delegate* unmanaged<IntPtr, IntPtr>)errorText,
                    (delegate* unmanaged<IntPtr, int>)errorCode,
                    (delegate* unmanaged<IntPtr, int>)destroy);
            }

            _unavailableReason = $"{name} lacks the TurboJPEG 2 API (tjDecompress2 and friends)";
            NativeLibrary.Free(handle);
            return null;
        }

        _unavailableReason = "libturbojpeg was not found (Debian/Ubuntu: apt-get install libturbojpeg0)";
        return null;
    }

    /// <summary>The entry points, as C declares them (<c>unsigned long</c> is 64-bit on the LP64 systems this runs on).</summary>
    internal sealed class Api(
        delegate* unmanaged<IntPtr> initDecompress,
        delegate* unmanaged<IntPtr, byte*, nuint, int*, int*, int*, int*, int> decompressHeader3,
        delegate* unmanaged<IntPtr, byte*, nuint, byte*, int, int, int, int, int, int> decompress2,
        delegate* unmanaged<IntPtr, IntPtr> getErrorStr2,
        delegate* unmanaged<IntPtr, int> getErrorCode,
        delegate* unmanaged<IntPtr, int> destroy)
    {
        public IntPtr InitDecompress() => initDecompress();

        public int DecompressHeader3(IntPtr handle, byte* jpeg, nuint size, int* width, int* height, int* subsampling, int* colorspace) =>
            decompressHeader3(handle, jpeg, size, width, height, subsampling, colorspace);

        public int Decompress2(IntPtr handle, byte* jpeg, nuint size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags) =>
            decompress2(handle, jpeg, size, destination, width, pitch, height, pixelFormat, flags);

        public string ErrorText(IntPtr handle) => Marshal.PtrToStringUTF8(getErrorStr2(handle)) ?? "unknown error";

        /// <summary><see cref="ErrorWarning"/> when the last failure was a warning (corrupt data libjpeg would paper over), 1 when fatal.</summary>
        public int ErrorCode(IntPtr handle) => getErrorCode(handle);

        public void Destroy(IntPtr handle) => destroy(handle);
    }
}
