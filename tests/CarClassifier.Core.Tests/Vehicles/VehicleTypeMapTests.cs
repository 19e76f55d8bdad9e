using CarClassifier.Core.Postprocessing;
using CarClassifier.Core.Tests.Models;
using CarClassifier.Core.Vehicles;

namespace CarClassifier.Core.Tests.Vehicles;

public sealed class VehicleTypeMapTests
{
    private static Task<VehicleTypeMap?> ImageNetMap() => new VehicleTypeCatalog(RepoPaths.ModelsFolder).GetAsync("resnet50-v1-12");

    [Fact]
    public async Task ImageNetMap_EveryIndex_NamesTheClassAtThatIndexInLabelsTxt()
    {
        var labels = await File.ReadAllLinesAsync(Path.Combine(RepoPaths.ModelsFolder, "resnet50-v1-12", "labels.txt"));

        var map = await ImageNetMap();

        Assert.NotNull(map);
        Assert.True(map.Classes.Count >= 30, $"only {map.Classes.Count} classes mapped");
        foreach (var (index, cls) in map.Classes) Assert.Equal(labels[index], cls.Label);
        Assert.Equal("sports car", map.Classes[817].Type);
        Assert.Equal("pickup", map.Classes[717].Type);
        Assert.Equal("station wagon", map.Classes[436].Type);
    }

    [Fact]
    public async Task Classify_SportsCarOnTop_IsSportsCar()
    {
        var map = (await ImageNetMap())!;

        var view = map.Classify([new(817, "sports car", 0.6f), new(511, "convertible", 0.2f), new(207, "golden retriever", 0.1f)]);

        Assert.Equal("sports car", view.Type);
        Assert.True(view.IsVehicle);
        Assert.Equal(0.6, view.Probability, 3);
    }

    [Fact]
    public async Task Classify_TypeWithMostSummedProbability_WinsOverTheTopClass()
    {
        var map = (await ImageNetMap())!;

        // Top class "cab" 0.30, but three bus classes add up to 0.45.
        var view = map.Classify([new(468, "cab", 0.30f), new(654, "minibus", 0.20f), new(779, "school bus", 0.15f), new(874, "trolleybus", 0.10f)]);

        Assert.Equal("bus", view.Type);
        Assert.Equal(0.45, view.Probability, 3);
    }

    [Fact]
    public async Task Classify_DogWithAFaintCabGuess_IsNotAVehicle()
    {
        var map = (await ImageNetMap())!;

        var view = map.Classify([new(207, "golden retriever", 0.85f), new(208, "Labrador retriever", 0.05f), new(468, "cab", 0.02f)]);

        Assert.False(view.IsVehicle);
        Assert.Equal("not a vehicle", view.Type);
        Assert.Equal(0.98, view.Probability, 3);
    }

    [Fact]
    public async Task Catalog_GeneratedResNet_SharesTheImageNetMap_AndColorTinyHasNone()
    {
        var catalog = new VehicleTypeCatalog(RepoPaths.ModelsFolder);

        var generated = await catalog.GetAsync("resnet50-generated@1#0774a2ed22e2");
        var colour = await catalog.GetAsync("color-tiny@1#abc");

        Assert.NotNull(generated);
        Assert.Equal("sports car", generated.Classify([new ClassScore(817, "sports car", 0.9f)]).Type);
        Assert.Null(colour);
    }

    [Theory]
    [InlineData("../resnet50-v1-12")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("no-such-model@1")]
    public async Task Catalog_NameThatIsNotAModelFolder_HasNoMap(string? model)
    {
        Assert.Null(await new VehicleTypeCatalog(RepoPaths.ModelsFolder).GetAsync(model));
    }

    [Fact]
    public void Parse_KeyThatIsNotAnIndex_Throws()
    {
        Assert.Throws<InvalidDataException>(() => VehicleTypeMap.Parse("""{"classes":{"x":{"label":"a","type":"b"}}}"""));
    }
}
