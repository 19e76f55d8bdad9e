namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Exit codes scripts can rely on. Every command documents which of these it returns in its --help.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Every image has a row, but some rows are Failed.</summary>
    public const int SomeFailed = 1;

    /// <summary>Bad arguments or configuration.</summary>
    public const int Usage = 2;

    /// <summary>The model is missing, corrupt or cannot be downloaded.</summary>
    public const int ModelUnavailable = 3;

    /// <summary>Storage (Azurite) is unreachable.</summary>
    public const int StorageUnavailable = 4;

    /// <summary>Not every image had a row before the timeout.</summary>
    public const int TimedOut = 5;

    /// <summary><c>upload</c>: at least one file could not be uploaded (the others were; run it again to resume).</summary>
    public const int UploadFailed = 10;

    /// <summary><c>results</c>/<c>report</c>: no row matched the prefix and filters (like grep's "no match").</summary>
    public const int NoResults = 11;

    /// <summary>Stopped by Ctrl+C (the shell convention 128 + SIGINT).</summary>
    public const int Cancelled = 130;

    /// <summary><c>poison replay --id</c> named a message that is in neither poison queue.</summary>
    public const int NotFound = 6;

    /// <summary><c>run</c>/<c>host</c>: another local host with a different model is consuming the queue.</summary>
    public const int OtherModelRunning = 7;

    /// <summary>An unexpected error (a bug): the exception is printed.</summary>
    public const int Internal = 70;
}
