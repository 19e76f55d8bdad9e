using System.Xml;
using Azure;
using CarClassifier.Core.Storage;

namespace CarClassifier.Core.Tests.Storage;

public sealed class ListingFailureTests
{
    [Fact]
    public void Describe_EmulatorErrorPage_NamesTheCauseAndWhatToDo()
    {
        // What Azure.Storage.Blobs throws when Azurite answers a listing with an empty 500.
        var text = ListingFailure.Describe(new XmlException("Root element is missing."));

        Assert.Contains("U+FFFE", text, StringComparison.Ordinal);
        Assert.Contains("rename or delete that blob", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_Unreachable_SaysSo()
    {
        var text = ListingFailure.Describe(new RequestFailedException(0, "Connection refused (127.0.0.1:1)"));

        Assert.StartsWith("storage is unreachable", text, StringComparison.Ordinal);
    }

    [Fact]
    public void IsListingFailure_ProgrammingErrors_AreNot()
    {
        Assert.True(ListingFailure.IsListingFailure(new XmlException("x")));
        Assert.False(ListingFailure.IsListingFailure(new InvalidOperationException("x")));
        Assert.False(ListingFailure.IsListingFailure(new NullReferenceException()));
    }
}
