namespace CarClassifier.Training.FineTuning;

/// <summary>How the last stage and the new head are trained; recorded in the model's provenance.</summary>
public sealed record FineTuneSettings
{
    /// <summary>Most passes over the training part; early stopping usually ends sooner.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Epochs without a better hold-out score before stopping.</summary>
    public int Patience { get; init; } = 5;

    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate of the trained stage (SGD with momentum); the new head gets <see cref="HeadLearningRateFactor"/> times it.</summary>
    public double LearningRate { get; init; } = 0.01;

    public double HeadLearningRateFactor { get; init; } = 10;

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 1e-4;

    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Share of each class held out for early stopping, checkpoint choice and temperature calibration.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Random shift of the cached activation map, in cells (one cell of a 14x14 map is 16 pixels at 224).</summary>
    public int MaxShift { get; init; } = 1;

    /// <summary>Train on the cached mirror images too (chosen at random per sample and epoch).</summary>
    public bool Flips { get; init; } = true;

    public int Seed { get; init; } = 42;

    /// <summary>Stop starting new epochs once this budget would be exceeded; null: no budget.</summary>
    public TimeSpan? Budget { get; init; }
}
