namespace CarClassifier.Cli.Commands;

/// <summary>What a <c>carclass model</c> command does.</summary>
public enum ModelAction
{
    Info,
    Verify,
    Download,
    Generate,
}
