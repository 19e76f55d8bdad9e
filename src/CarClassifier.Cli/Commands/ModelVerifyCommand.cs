namespace CarClassifier.Cli.Commands;

/// <summary><c>carclass model verify</c>.</summary>
public sealed class ModelVerifyCommand() : ModelCommandBase(ModelAction.Verify);
