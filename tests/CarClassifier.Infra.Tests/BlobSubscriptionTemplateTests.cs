using CarClassifier.Core;

namespace CarClassifier.Infra.Tests;

/// <summary>The compiled infra/blob-subscription.bicep that post-deploy.sh deploys.</summary>
public class BlobSubscriptionTemplateTests
{
    private static ArmTemplate Template => CompiledTemplates.BlobSubscription;

    private static System.Text.Json.Nodes.JsonNode Properties =>
        Template.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions")["properties"]!;

    [Fact]
    public void Filter_EventTypes_AreBlobCreatedOnly()
    {
        var types = Properties["filter"]!["includedEventTypes"]!.AsArray().Select(t => (string?)t);

        Assert.Equal(["Microsoft.Storage.BlobCreated"], types);
    }

    [Fact]
    public void Filter_Subject_IsTheImagesContainer()
    {
        Assert.Equal(PipelineNames.ImagesContainer, (string?)Template.Parameters["imagesContainerName"]!["defaultValue"]);
        Assert.Equal(
            "[format('/blobServices/default/containers/{0}/blobs/', parameters('imagesContainerName'))]",
            (string?)Properties["filter"]!["subjectBeginsWith"]);
    }

    [Fact]
    public void Filter_Suffixes_AreTheImageFormats()
    {
        var advanced = Properties["filter"]!["advancedFilters"]!.AsArray().Single()!;
        var suffixes = Template.Parameters["imageSuffixes"]!["defaultValue"]!.AsArray().Select(s => (string?)s).ToList();

        Assert.Equal("StringEndsWith", (string?)advanced["operatorType"]);
        Assert.Equal("subject", (string?)advanced["key"]);
        Assert.Equal("[parameters('imageSuffixes')]", (string?)advanced["values"]);
        Assert.Equal([".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"], suffixes);
    }

    [Fact]
    public void DeadLettering_Destination_IsABlobContainerWrittenWithTheTopicIdentity()
    {
        var deadLetter = Properties["deadLetterWithResourceIdentity"]!;

        Assert.Equal("SystemAssigned", (string?)deadLetter["identity"]!["type"]);
        Assert.Equal("StorageBlob", (string?)deadLetter["deadLetterDestination"]!["endpointType"]);
        Assert.Equal("[parameters('deadLetterContainerName')]", (string?)deadLetter["deadLetterDestination"]!["properties"]!["blobContainerName"]);
        Assert.Null(Properties["deadLetterDestination"]);
    }

    [Fact]
    public void Destination_Webhook_ComesFromASecureParameter()
    {
        var destination = Properties["destination"]!;

        Assert.Equal("WebHook", (string?)destination["endpointType"]);
        Assert.Equal("[parameters('webhookEndpointUrl')]", (string?)destination["properties"]!["endpointUrl"]);
        Assert.Equal("securestring", (string?)Template.Parameters["webhookEndpointUrl"]!["type"]);
        Assert.Equal("EventGridSchema", (string?)Properties["eventDeliverySchema"]);
    }
}
