using CarClassifier.Core.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CarClassifier.Worker.Tests.Messaging;

/// <summary>
/// The host waits for the worker's shutdown grace plus time to abandon what is left: with the host's own 30 s default a
/// longer grace would be cut short and its messages left locked until their locks ran out.
/// </summary>
public sealed class ShutdownTimeoutTests
{
    [Theory]
    [InlineData(null, 30)] // The default grace (20 s) + 10 s: Container Apps' default termination grace.
    [InlineData(0, 10)]
    [InlineData(120, 130)]
    public void HostShutdownTimeout_IsTheGracePlusTimeToAbandon(int? graceSeconds, int expectedSeconds)
    {
        var services = new ServiceCollection();
        var options = services.AddOptions<ServiceBusOptions>();
        if (graceSeconds is { } grace) options.Configure(o => o.ShutdownGraceSeconds = grace);
        services.AddServiceBusClassifier();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
