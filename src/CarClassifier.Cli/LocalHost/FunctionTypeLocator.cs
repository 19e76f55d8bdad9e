using Microsoft.Azure.WebJobs;

namespace CarClassifier.Cli.LocalHost;

/// <summary>Tells the WebJobs SDK exactly which class holds the functions (it would otherwise scan the entry assembly, which under a test runner is not ours).</summary>
internal sealed class FunctionTypeLocator : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => [typeof(LocalFunctions)];
}
