using Azure.Identity;
using CarClassifier.Core.Telemetry;

namespace CarClassifier.Core.Tests.Telemetry;

/// <summary>The worker's Application Insights exporters get the identity the host's authentication string names.</summary>
public sealed class AzureMonitorAuthenticationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void CredentialFrom_NoSetting_IsNullSoTheConnectionStringAloneIsUsed(string? value)
    {
        Assert.Null(AzureMonitorAuthentication.CredentialFrom(value));
    }

    [Theory]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD")]
    [InlineData("Authorization=AAD;ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData("Authorization=AAD")]
    [InlineData(" authorization = aad ; ")]
    public void CredentialFrom_EntraSetting_IsAManagedIdentityCredential(string value)
    {
        Assert.IsType<ManagedIdentityCredential>(AzureMonitorAuthentication.CredentialFrom(value));
    }

    [Theory]
    [InlineData("Authorization=Key", "Authorization must be AAD")]
    [InlineData("ClientId=abc", "Authorization must be AAD")]
    [InlineData("Authorization=AAD;Secret=x", "unknown key 'Secret'")]
    [InlineData("AAD", "'AAD' is not key=value")]
    public void CredentialFrom_MalformedSetting_FailsAtStartNamingTheSetting(string value, string reason)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AzureMonitorAuthentication.CredentialFrom(value));

        Assert.Contains(AzureMonitorAuthentication.Setting, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
