namespace CarClassifier.Training.FineTuning;

/// <summary>
/// The best epoch's weights (by hold-out accuracy, then loss) and what was measured on the hold-out: accuracy with a
/// 95 % Wilson interval, the fitted temperature and the expected calibration error before and after it.
/// </summary>
public sealed record FineTuneResult(
    IReadOnlyDictionary<string, float[]> StageWeights,
    float[] HeadWeights,
    float[] HeadBias,
    int Classes,
    int Width,
    int BestEpoch,
    int EpochsRun,
    string StoppedBecause,
    double HoldoutAccuracy,
    double HoldoutLow,
    double HoldoutHigh,
    int TrainImages,
    int HoldoutImages,
    double Temperature,
    double EceBefore,
    double EceAfter,
    IReadOnlyList<EpochReport> History,
    TimeSpan TrainingTime);
