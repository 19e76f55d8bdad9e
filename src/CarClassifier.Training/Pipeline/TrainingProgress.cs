using CarClassifier.Training.Features;

namespace CarClassifier.Training.Pipeline;

/// <summary>Progress a front end can draw: the stage, and for extraction images done, images/s and ETA; for fine-tuning each finished epoch.</summary>
public sealed record TrainingProgress(TrainingStage Stage, RunProgress? Images = null, FineTuning.EpochReport? Epoch = null);

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
