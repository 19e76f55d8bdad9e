using System.Globalization;
using System.Text.Json;
using CarClassifier.Core.Postprocessing;

namespace CarClassifier.Core.Vehicles;

/// <summary>
/// Maps a model's class indices to coarse vehicle types, read from a <c>vehicle-types.json</c> that sits
/// next to the model's labels file. A prediction reads as the type whose top-k classes add up to the most
/// probability, or as "not a vehicle" when the vehicle classes of the top-k add up to less than
/// <see cref="MinVehicleProbability"/> (so a dog photo whose fifth guess is "cab" is not a cab).
/// </summary>
public sealed class VehicleTypeMap
{
    /// <summary>The name of the mapping file, next to the labels file it describes.</summary>
    public const string FileName = "vehicle-types.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly IReadOnlyDictionary<int, VehicleClass> _classes;

    public VehicleTypeMap(IReadOnlyDictionary<int, VehicleClass> classes, string notAVehicle = "not a vehicle", double minVehicleProbability = 0.2)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentException.ThrowIfNullOrWhiteSpace(notAVehicle);
        ArgumentOutOfRangeException.ThrowIfNegative(minVehicleProbability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minVehicleProbability, 1.0);
        _classes = classes;
        NotAVehicle = notAVehicle;
        MinVehicleProbability = minVehicleProbability;
    }

    public string NotAVehicle { get; }

    public double MinVehicleProbability { get; }

    public IReadOnlyDictionary<int, VehicleClass> Classes => _classes;

    public static VehicleTypeMap Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var file = JsonSerializer.Deserialize<VehicleTypeFile>(json, JsonOptions)
            ?? throw new InvalidDataException("The vehicle-types file is empty.");
        var classes = new Dictionary<int, VehicleClass>();
        foreach (var (key, value) in file.Classes ?? [])
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new InvalidDataException($"Class key '{key}' is not a class index.");
            }

            if (string.IsNullOrWhiteSpace(value.Type)) throw new InvalidDataException($"Class {index} has no type.");
            classes[index] = value;
        }

        return new VehicleTypeMap(classes, file.NotAVehicle ?? "not a vehicle", file.MinVehicleProbability ?? 0.2);
    }

    public static async Task<VehicleTypeMap> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Vehicle-types file '{path}' is invalid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a top-k list as a vehicle type or "not a vehicle".</summary>
    public VehicleView Classify(IReadOnlyList<ClassScore> topK)
    {
        ArgumentNullException.ThrowIfNull(topK);
        var byType = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        double vehicle = 0;
        foreach (var score in topK)
        {
            if (!_classes.TryGetValue(score.Index, out var cls)) continue;
            vehicle += score.Probability;
            if (!byType.TryAdd(cls.Type, score.Probability)) byType[cls.Type] += score.Probability;
            else order.Add(cls.Type);
        }

        if (byType.Count == 0 || vehicle < MinVehicleProbability)
        {
            return new VehicleView(NotAVehicle, Math.Clamp(1 - vehicle, 0, 1), IsVehicle: false);
        }

        // Highest summed probability wins; ties go to the type ranked first.
        var best = order[0];
        foreach (var type in order)
        {
            if (byType[type] > byType[best]) best = type;
        }

        return new VehicleView(best, Math.Clamp(byType[best], 0, 1), IsVehicle: true);
    }

    private sealed class VehicleTypeFile
    {
        public string? NotAVehicle { get; set; }

        public double? MinVehicleProbability { get; set; }

        public Dictionary<string, VehicleClass>? Classes { get; set; }
    }
}
