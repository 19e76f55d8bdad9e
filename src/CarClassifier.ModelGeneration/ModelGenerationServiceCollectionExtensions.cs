using CarClassifier.Core.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CarClassifier.ModelGeneration;

/// <summary>Lets a host generate the weights of generated manifests (with Classifier:AllowModelGeneration on).</summary>
public static class ModelGenerationServiceCollectionExtensions
{
    public static IServiceCollection AddModelGeneration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IModelWeightsGenerator>(OnnxWeightsGenerator.Instance);
        return services;
    }
}
