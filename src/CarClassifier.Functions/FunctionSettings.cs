using Microsoft.Extensions.Configuration;

namespace CarClassifier.Functions;

/// <summary>Reads the Functions host's per-function app settings.</summary>
public static class FunctionSettings
{
    /// <summary>Reads the standard <c>AzureWebJobs.&lt;Name&gt;.Disabled</c> app setting (also in its underscore and section forms).</summary>
    public static bool IsDisabled(IConfiguration configuration, string functionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var key in new[] { $"AzureWebJobs.{functionName}.Disabled", $"AzureWebJobs_{functionName}_Disabled", $"AzureWebJobs:{functionName}:Disabled" })
        {
            if (bool.TryParse(configuration[key], out var disabled) && disabled) return true;
        }

        return false;
    }
}
