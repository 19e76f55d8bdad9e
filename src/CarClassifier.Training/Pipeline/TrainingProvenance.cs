namespace CarClassifier.Training.Pipeline;

/// <summary>What a trained model was made from and how, stored in its manifest's <c>provenance</c> (shown by <c>carclass model info</c>).</summary>
public sealed record TrainingProvenance
{
    public required string Tool { get; init; }

    public required DateTimeOffset TrainedAt { get; init; }

    public required BaseModelProvenance Base { get; init; }

    public required IReadOnlyList<ClassCount> Classes { get; init; }

    /// <summary>sha256 over the sorted (class, image sha256) pairs of the images used.</summary>
    public required string DataFingerprint { get; init; }

    public required int Images { get; init; }

    public required int SkippedFiles { get; init; }

    /// <summary>The frozen head's L2 search; null for a fine-tuned model.</summary>
    public ValidationProvenance? Validation { get; init; }

    /// <summary>How the last stage was fine-tuned and what its hold-out measured; null for a frozen head.</summary>
    public FineTuneProvenance? FineTuning { get; init; }

    /// <summary>sha256 of every training photo, sorted: <c>carclass evaluate</c> warns when it is shown one of them.</summary>
    public IReadOnlyList<string>? ImageSha256 { get; init; }

    public required SettingsProvenance Settings { get; init; }
}

/// <summary>The base model the features came from.</summary>
public sealed record BaseModelProvenance(string Name, string Version, string Sha256, string Identity, string FeaturesTensor, int FeatureWidth);

/// <summary>One class and its number of training images.</summary>
public sealed record ClassCount(string Name, int Images);

/// <summary>The hold-out that chose the L2 strength, and what each strength scored on it.</summary>
public sealed record ValidationProvenance(double Lambda, double Accuracy, double LogLoss, int TrainImages, int ValidationImages, IReadOnlyList<Head.LambdaScore> Path);

/// <summary>Settings of the run.</summary>
public sealed record SettingsProvenance(string Decoder, int BatchSize, bool Flips, int Seed, double ValidationFraction, IReadOnlyList<double> Lambdas, string Optimizer);

/// <summary>
/// Fine-tuning: the first trained tensor (everything from it on learned), the hold-out that chose the epoch and
/// calibrated the temperature (accuracy with its 95 % Wilson interval), and the settings.
/// </summary>
public sealed record FineTuneProvenance(
    string TrainedFrom,
    string BatchNorm,
    int TrainImages,
    int HoldoutImages,
    double HoldoutAccuracy,
    double HoldoutLow,
    double HoldoutHigh,
    double Temperature,
    double EceBefore,
    double EceAfter,
    int BestEpoch,
    int EpochsRun,
    string Stopped,
    double TrainingSeconds,
    FineTuning.FineTuneSettings Settings);
