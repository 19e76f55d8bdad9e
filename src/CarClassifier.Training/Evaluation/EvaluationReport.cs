namespace CarClassifier.Training.Evaluation;

/// <summary>
/// What <c>carclass evaluate</c> reports. Serialised as-is for <c>--format json</c> (camelCase): <c>top1</c> and
/// <c>top5</c> are fractions between 0 and 1.
/// </summary>
public sealed record EvaluationReport
{
    public required string Model { get; init; }

    public required string Identity { get; init; }

    public required string Data { get; init; }

    public required int Images { get; init; }

    public required double Top1 { get; init; }

    public required double Top5 { get; init; }

    /// <summary>Expected calibration error over <see cref="Calibration"/>'s equal-width confidence bins.</summary>
    public required double Ece { get; init; }

    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }

    public required ConfusionMatrix Confusion { get; init; }

    public required IReadOnlyList<Confusion> WorstConfusions { get; init; }

    public required IReadOnlyList<CalibrationBin> Calibration { get; init; }

    public required IReadOnlyList<Data.SkippedFile> Skipped { get; init; }

    /// <summary>Problems with the data that did not stop the evaluation (for example a photo filed under two classes).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    public required double ImagesPerSecond { get; init; }

    /// <summary>Photos whose content hash is among the model's training photos (its provenance lists them); they inflate every score.</summary>
    public int SeenInTraining { get; init; }
}

/// <summary>Precision and recall of one class of the data; support is its number of images.</summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, int Support, int Predicted);

/// <summary>Rows are the data's true classes, columns the same classes then "(other)" for any other label the model gave.</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<int>> Counts);

/// <summary>One kind of mistake, how often it happened, and the most confident examples.</summary>
public sealed record Confusion(string TrueClass, string PredictedClass, int Count, IReadOnlyList<ConfusionExample> Examples);

/// <summary>A misclassified file with the model's confidence in its wrong answer.</summary>
public sealed record ConfusionExample(string File, double Confidence);

/// <summary>Images whose top confidence fell in [Lower, Upper), their mean confidence and their accuracy.</summary>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double Confidence, double Accuracy);
