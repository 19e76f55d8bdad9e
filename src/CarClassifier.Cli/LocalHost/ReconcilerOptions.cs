namespace CarClassifier.Cli.LocalHost;

/// <summary>Settings of <see cref="BlobReconciler"/>, bound from the <c>Reconciler</c> configuration section.</summary>
public sealed class ReconcilerOptions
{
    public const string SectionName = "Reconciler";

    /// <summary>Turns the safety net off (on by default for the local host).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between container sweeps.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A blob younger than this is left to the blob trigger: it normally ingests within one polling interval,
    /// and waiting keeps the reconciler from racing it on every fresh upload.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A blob the trigger did take (it has a receipt) but that still has no row this long after the reconciler first
    /// noticed, while the work queue shows no visible backlog, is taken to be stranded: its message is invisible for
    /// the WebJobs queue listener's fixed 10-minute lease on a host that died (SIGKILL, power loss). It is ingested
    /// again once; the stranded message, when it reappears, only rewrites the same row.
    /// </summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(2);
}
