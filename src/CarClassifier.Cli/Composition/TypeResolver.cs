using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Composition;

/// <summary>Resolves commands and their services; disposes the container (and the storage clients in it) when the command ends.</summary>
internal sealed class TypeResolver(ServiceProvider provider) : ITypeResolver, IDisposable
{
    public object? Resolve(Type? type) => type is null ? null : provider.GetService(type);

    // Some services are only IAsyncDisposable, which a synchronous Dispose of the container refuses.
    public void Dispose() => provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
