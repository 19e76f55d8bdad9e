namespace CarClassifier.EndToEnd.Tests;

/// <summary>Tests that share one Azurite and the fixed pipeline names run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
