namespace CarClassifier.Cli.Commands;

/// <summary><c>carclass model info</c>.</summary>
public sealed class ModelInfoCommand() : ModelCommandBase(ModelAction.Info);
