using System.Globalization;
using System.Text;

namespace CarClassifier.Bench.Isolated;

/// <summary>The isolated section's table: worker CPU per invocation, then its split by thread.</summary>
internal static class IsolatedReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Append(StringBuilder sb, IReadOnlyList<BenchResult> results)
    {
        var rows = results.Where(r => r.Section == IsolatedBench.Section).ToArray();
        if (rows.Length == 0) return;
        double X(BenchResult r, string key) => r.Extra.GetValueOrDefault(key, double.NaN);
        sb.AppendLine().AppendLine("### Functions isolated worker, classify path over the host's gRPC contract (stand-in host; its CPU and Azurite's excluded), worker core-ms per invocation").AppendLine();
        sb.AppendLine("| photos | path (config) | worker core-ms/invocation | of which late JIT | steady (without JIT) | idle background | decode only | inference | outside decode + inference | invocations/s per core | invocations/s wall | in flight | stand-in host core-ms/invocation | RpcLog msgs/invocation | load 1m |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(Inv, $"| {r.Case} | {r.Variant} | {r.Stats.Median:F3} | {X(r, "jitMsPerInvocation"):F3} | **{X(r, "steadyMsPerInvocation"):F3}** | {X(r, "backgroundMsPerInvocation"):F2} | {X(r, "decodeOnlyCpuMs"):F2} | {X(r, "inferenceMsPerImage"):F2} | {X(r, "outsideDecodeInferenceMs"):F2} | {1000 / X(r, "steadyMsPerInvocation"):F0} | {X(r, "invocationsPerSecondWall"):F1} | {X(r, "maxInFlight"):F0} | {X(r, "standInHostCpuMsPerInvocation"):F3} | {X(r, "rpcLogsPerInvocation"):F2} | {X(r, "loadAverage1mBefore"):F1}-{X(r, "loadAverage1mAfter"):F1} |");
        }

        var groups = rows.SelectMany(r => r.Extra.Keys).Where(k => k.StartsWith("thread:", StringComparison.Ordinal)).Distinct()
            .OrderByDescending(k => rows.Sum(r => r.Extra.GetValueOrDefault(k))).ToArray();
        sb.AppendLine().AppendLine("Worker CPU by thread (core-ms per invocation):").AppendLine();
        sb.Append("| photos | path (config) |").AppendJoin("", groups.Select(g => $" {g["thread:".Length..]} |")).AppendLine();
        sb.Append("|---|---|").AppendJoin("", groups.Select(_ => "---:|")).AppendLine();
        foreach (var r in rows)
        {
            sb.Append(Inv, $"| {r.Case} | {r.Variant} |").AppendJoin("", groups.Select(g => r.Extra.TryGetValue(g, out var v) ? string.Format(Inv, " {0:F2} |", v) : " - |")).AppendLine();
        }
    }
}
