namespace CarClassifier.Training.FineTuning;

/// <summary>One finished epoch: losses, accuracies, the learning rate, and time spent and left.</summary>
public sealed record EpochReport(
    int Epoch, int Epochs, double TrainLoss, double TrainAccuracy, double HoldoutLoss, double HoldoutAccuracy, bool Best, TimeSpan Elapsed, TimeSpan Remaining);
