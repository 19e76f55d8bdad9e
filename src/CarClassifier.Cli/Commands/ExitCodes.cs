namespace CarClassifier.Cli.Commands;

/// <summary>Exit codes scripts can rely on.</summary>
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

    /// <summary><c>poison replay --id</c> named a message that is in neither poison queue.</summary>
    public const int NotFound = 6;
}
