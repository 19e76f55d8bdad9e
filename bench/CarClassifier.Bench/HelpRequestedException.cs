namespace CarClassifier.Bench;

/// <summary>Thrown by the argument parser for -h/--help.</summary>
internal sealed class HelpRequestedException : Exception
{
    public HelpRequestedException()
        : base("Help requested.")
    {
    }

    public HelpRequestedException(string message)
        : base(message)
    {
    }

    public HelpRequestedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
