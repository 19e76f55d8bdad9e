namespace CarClassifier.Cli.Commands;

/// <summary><c>carclass model download</c>.</summary>
public sealed class ModelDownloadCommand() : ModelCommandBase(ModelAction.Download);
