using CarClassifier.Cli.Commands.Shared;
using CarClassifier.Cli.LocalHost;
using CarClassifier.Cli.Output;
using CarClassifier.Core;
using CarClassifier.Core.Configuration;
using CarClassifier.ModelGeneration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>
/// The CLI's composition root: the same <see cref="ServiceCollectionExtensions.AddCarClassifier"/> the hosts call, plus
/// what the commands share. Storage settings come from the command line (see <see cref="SettingsInterceptor"/>).
/// The local WebJobs host that <c>run</c> and <c>host</c> start is a separate host with its own root (<see cref="LocalHostBuilder"/>).
/// </summary>
internal static class CliServices
{
    public static IServiceCollection Create()
    {
        // An unknown transport is reported by StorageSettingsInterceptor as a usage error, once the command is known.
        var transport = TransportSettings.Read();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [PipelineNames.StorageConnection] = LocalHostBuilder.DevelopmentStorage })
            .AddInMemoryCollection(IsValid(transport) ? transport : [])
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfigurationRoot>(configuration);
        services.AddLogging(logging => logging.ClearProviders().AddProvider(new CliLoggerProvider()).SetMinimumLevel(LogLevel.Trace));
        services.AddCarClassifier(configuration, loadModelAtStart: false);
        services.AddBlobTriggerPoisonQueue();
        services.AddModelGeneration();
        services.AddSingleton<StorageConnection>();
        services.AddSingleton<UploadClaims>();
        services.AddSingleton<ICommandInterceptor, SettingsInterceptor>();
        return services;
    }

    private static bool IsValid(IReadOnlyDictionary<string, string?> transport)
    {
        try
        {
            TransportSettings.Validate(transport);
            return true;
        }
        catch (UsageException)
        {
            return false;
        }
    }
}
