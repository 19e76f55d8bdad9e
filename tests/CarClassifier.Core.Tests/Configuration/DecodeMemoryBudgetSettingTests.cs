using CarClassifier.Core.Configuration;
using CarClassifier.Core.Imaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CarClassifier.Core.Tests.Configuration;

/// <summary>Issue 15, hole 6: the decode memory budget setting, validated at start, with a default from the memory limit.</summary>
public sealed class DecodeMemoryBudgetSettingTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("carclass-cgroup-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd(PipelineNames.StorageConnection, "UseDevelopmentStorage=true");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCarClassifier(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void ExplicitBudget_IsTheSharedBudget()
    {
        using var provider = Build(new() { ["Classifier:DecodeMemoryBudgetBytes"] = "1073741824" });

        Assert.Equal(1L << 30, provider.GetRequiredService<DecodeMemoryBudget>().CapacityBytes);
    }

    [Fact]
    public void NoSetting_BudgetIsAQuarterOfTheMemoryLimit()
    {
        using var provider = Build([]);
        var (limit, _) = ContainerMemory.Limit();

        var budget = provider.GetRequiredService<DecodeMemoryBudget>().CapacityBytes;

        Assert.Equal(Math.Max(ClassifierOptions.MinDecodeMemoryBudgetBytes, limit / 100 * 25), budget);
        Assert.True(limit <= GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, $"limit {limit} above the machine's memory");
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("67108863")]
    public void TinyBudget_FailsValidationNamingTheSetting(string bytes)
    {
        using var provider = Build(new() { ["Classifier:DecodeMemoryBudgetBytes"] = bytes });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ClassifierOptions>>().Value);

        Assert.Contains("Classifier:DecodeMemoryBudgetBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("95")]
    public void PercentOutOfRange_FailsValidation(string percent)
    {
        using var provider = Build(new() { ["Classifier:DecodeMemoryBudgetPercent"] = percent });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ClassifierOptions>>().Value);

        Assert.Contains("DecodeMemoryBudgetPercent", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4294967296\n", true, 4294967296L)]
    [InlineData("max\n", false, 0L)]
    [InlineData("", false, 0L)]
    public void CgroupLimitFile_IsReadAsBytes_AndMaxMeansNoLimit(string content, bool expected, long bytes)
    {
        var file = Path.Combine(_temp, "memory.max");
        File.WriteAllText(file, content);

        Assert.Equal(expected, ContainerMemory.TryReadLimit(file, out long read));
        Assert.Equal(bytes, read);
        Assert.False(ContainerMemory.TryReadLimit(Path.Combine(_temp, "missing"), out _));
    }
}
