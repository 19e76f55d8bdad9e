using System.Xml;
using Azure;

namespace CarClassifier.Core.Storage;

/// <summary>A listing failure in words, for the one line the reconciler and <c>carclass watch</c> print.</summary>
public static class ListingFailure
{
    /// <summary>True for the failures a later listing may not have: storage unreachable, a 5xx, a body that is not XML.</summary>
    public static bool IsListingFailure(Exception exception) =>
        exception is RequestFailedException or IOException or HttpRequestException or AggregateException or XmlException;

    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            XmlException or RequestFailedException { Status: 500 } =>
                "the storage service answered the listing with an error page (HTTP 500 with no XML). Azurite does this when a blob name " +
                "holds a character XML cannot carry (U+FFFE, U+FFFF, control characters); rename or delete that blob",
            RequestFailedException { Status: 0 } or AggregateException or HttpRequestException or IOException =>
                "storage is unreachable (" + exception.Message.Split('\n')[0] + ")",
            RequestFailedException failed => $"HTTP {failed.Status} {failed.ErrorCode}: {failed.Message.Split('\n')[0]}",
            _ => exception.Message.Split('\n')[0],
        };
    }
}
