namespace CarClassifier.Core.Vehicles;

/// <summary>
/// The coarse reading of a prediction: a vehicle type (e.g. "sports car", "bus") or "not a vehicle".
/// <paramref name="Probability"/> is the summed probability of the top-k classes of that type
/// (for "not a vehicle": one minus the summed probability of every vehicle class in the top-k).
/// </summary>
public sealed record VehicleView(string Type, double Probability, bool IsVehicle);
