using CarClassifier.Core.Configuration;
using CarClassifier.Core.Messaging;
using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CarClassifier.Worker.Tests.Messaging;

public sealed class TransportSettingTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => p.Key, p => (string?)p.Value)).Build();

    [Theory]
    [InlineData(null, MessageTransport.StorageQueue)]
    [InlineData("ServiceBus", MessageTransport.ServiceBus)]
    [InlineData("servicebus", MessageTransport.ServiceBus)]
    [InlineData("StorageQueue", MessageTransport.StorageQueue)]
    public void ReadTransport_KnownOrMissing_ParsesCaseInsensitively(string? value, MessageTransport expected)
    {
        var config = value is null ? Config() : Config(("Classifier:Transport", value));
        Assert.Equal(expected, ServiceBusServiceCollectionExtensions.ReadTransport(config));
    }

    [Theory]
    [InlineData("Kafka")]
    [InlineData("7")]
    public void ReadTransport_Unknown_FailsNamingTheSettingAndTheKnownValues(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServiceBusServiceCollectionExtensions.ReadTransport(Config(("Classifier:Transport", value))));
        Assert.Contains("Classifier:Transport", error.Message, StringComparison.Ordinal);
        Assert.Contains("StorageQueue, ServiceBus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCarClassifier_ServiceBusWithoutNamespace_FailsWithTheSettingToSet()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCarClassifier(Config(("Classifier:Transport", "ServiceBus"), ("AzureWebJobsStorage", "UseDevelopmentStorage=true")));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<WorkQueue>());
        Assert.Contains("ServiceBusConnection__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCarClassifier_ServiceBusWithNamespace_IngestSendsThroughServiceBus()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCarClassifier(Config(
            ("Classifier:Transport", "ServiceBus"),
            ("AzureWebJobsStorage", "UseDevelopmentStorage=true"),
            ("ServiceBusConnection:fullyQualifiedNamespace", "example.servicebus.windows.net")));
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<ServiceBusWorkQueue>(provider.GetRequiredService<WorkQueue>());
    }
}
