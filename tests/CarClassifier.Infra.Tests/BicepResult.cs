namespace CarClassifier.Infra.Tests;

/// <summary>What one Bicep CLI run printed. Diagnostics (warnings, errors) go to standard error.</summary>
internal sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every warning or error line, e.g. "main.bicep(3,1) : Warning no-unused-params: ...".</summary>
    public IReadOnlyList<string> Diagnostics =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n{StandardError}";
}
