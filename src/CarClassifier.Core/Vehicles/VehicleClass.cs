namespace CarClassifier.Core.Vehicles;

/// <summary>One entry of a vehicle-types file: the model's class name (for checking) and its coarse type.</summary>
public sealed record VehicleClass(string Label, string Type);
