namespace CarClassifier.Cli.Commands;

/// <summary><c>carclass model generate</c>.</summary>
public sealed class ModelGenerateCommand() : ModelCommandBase(ModelAction.Generate);
