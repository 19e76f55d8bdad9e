using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CarClassifier.Cli.Commands.Shared;

/// <summary>Options of the commands that read a filtered set of results: prefix, status, label / vehicle type, age.</summary>
public class ResultFilterSettings : PrefixSettings
{
    [CommandOption("-s|--status <STATUS>")]
    [Description("Only succeeded or failed rows.")]
    public string? Status { get; init; }

    [CommandOption("-l|--label <TEXT>")]
    [Description("Only rows whose label or vehicle type contains this text (case-insensitive), e.g. \"sports car\" or \"not a vehicle\".")]
    public string? Label { get; init; }

    [CommandOption("--since <WHEN>")]
    [Description("Only rows classified since then: a duration back from now (30m, 2h, 7d) or a UTC date/time (2026-11-30 or 2026-11-30T05:00:00Z).")]
    public string? Since { get; init; }

    [CommandOption("--vehicles-only")]
    [Description("Only rows classified as a vehicle (a vehicle type other than \"not a vehicle\").")]
    public bool VehiclesOnly { get; init; }

    /// <summary>The --since cut-off; null without --since.</summary>
    public DateTimeOffset? SinceTime(DateTimeOffset now) => Since is null ? null : TryParseSince(Since, now, out var when) ? when : null;

    internal static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset when)
    {
        when = default;
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? back = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (back is { } span)
            {
                when = now - span;
                return true;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out when);
    }

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } common ? common
        : Status is not null && !Status.Equals("succeeded", StringComparison.OrdinalIgnoreCase) && !Status.Equals("failed", StringComparison.OrdinalIgnoreCase)
            ? ValidationResult.Error("--status must be succeeded or failed.")
        : Since is not null && !TryParseSince(Since, DateTimeOffset.UtcNow, out _)
            ? ValidationResult.Error($"--since '{Since}' is neither a duration (30m, 2h, 7d) nor a date/time (2026-11-30T05:00:00Z).")
        : ValidationResult.Success();
}
