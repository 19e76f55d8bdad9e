using CarClassifier.Training.Features;

namespace CarClassifier.Training.Pipeline;

/// <summary>Progress a front end can draw: the stage, and for extraction images done, images/s and ETA.</summary>
public sealed record TrainingProgress(TrainingStage Stage, RunProgress? Images = null);

/// <summary>Stages of a training or evaluation run, in order.</summary>
public enum TrainingStage
{
    Scanning,
    LoadingBase,
    Extracting,
    FittingHead,
    Exporting,
    Done,
}
