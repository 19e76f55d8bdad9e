using System.Globalization;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>
/// The local Azurite's connection string on the ports <c>scripts/azurite.sh</c> was told to use (AZURITE_BLOB_PORT,
/// AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT), so the CLI finds an Azurite started on other ports without --connection.
/// </summary>
internal static class AzuriteConnection
{
    /// <summary>The well-known Azurite development account key (public, documented by Azurite; not a secret).</summary>
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Null when none of the port variables is set (then UseDevelopmentStorage=true means 10000-10002).</summary>
    public static string? FromEnvironment()
    {
        var blob = Port("AZURITE_BLOB_PORT", 10000);
        var queue = Port("AZURITE_QUEUE_PORT", 10001);
        var table = Port("AZURITE_TABLE_PORT", 10002);
        if (blob.FromEnvironment || queue.FromEnvironment || table.FromEnvironment)
        {
            return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevelopmentKey + ";" +
                $"BlobEndpoint=http://127.0.0.1:{blob.Value}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue.Value}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table.Value}/devstoreaccount1;";
        }

        return null;
    }

    private static (int Value, bool FromEnvironment) Port(string variable, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return (fallback, false);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? (port, true)
            : throw new UsageException($"{variable}={text} is not a port number.");
    }
}
