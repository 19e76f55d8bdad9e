using Azure.Core;
using Azure.Identity;

namespace CarClassifier.Core.Telemetry;

/// <summary>
/// Reads the Functions host's Application Insights authentication setting so the worker's own OpenTelemetry exporters
/// authenticate the same way. The host honours <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> for its own telemetry, but
/// the worker's exporters get only the connection string; with local auth disabled on the component (infra/core/monitor)
/// they would be refused. Format ("Microsoft Entra authentication for Application Insights", learn.microsoft.com):
/// <c>Authorization=AAD</c> (system-assigned identity) or <c>Authorization=AAD;ClientId=&lt;client id&gt;</c> (user-assigned).
/// </summary>
public static class AzureMonitorAuthentication
{
    /// <summary>The app setting the Functions host reads (and infra/app/*.bicep sets).</summary>
    public const string Setting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// The managed identity credential the setting names; null when the setting is empty (connection string only, e.g. a
    /// component with local auth on). Anything else is a configuration error reported at start.
    /// </summary>
    public static TokenCredential? CredentialFrom(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return null;
        string? authorization = null, clientId = null;
        foreach (var part in authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw Invalid(authenticationString, $"'{part}' is not key=value");
            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) authorization = value;
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase)) clientId = value;
            else throw Invalid(authenticationString, $"unknown key '{key}'");
        }

        if (!string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(authenticationString, "Authorization must be AAD");
        }

        return string.IsNullOrEmpty(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
    }

    private static InvalidOperationException Invalid(string value, string reason) =>
        new($"{Setting} '{value}' is invalid: {reason}. Expected 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'.");
}
