using System.Diagnostics;
using System.Reflection;
using CarClassifier.Cli.Commands.Run;
using Spectre.Console.Cli;

namespace CarClassifier.EndToEnd.Tests.Cli;

/// <summary>
/// scripts/run.sh checks its arguments before it installs, starts or builds anything: a typo is one line and exit 2 at
/// once, not after an Azurite start and a build. Its option lists must stay those of <c>carclass run</c>.
/// </summary>
public sealed class RunScriptTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "scripts", "run.sh");

    [Fact]
    public void OptionLists_AreExactlyTheOptionsOfCarclassRun()
    {
        // Arrange: what RunSettings (and the settings it inherits) declares, split into flags and options with a value.
        var declared = typeof(RunSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Option: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(x => x.Option is not null)
            .ToList();
        static IEnumerable<string> Names(CommandOptionAttribute o) => o.LongNames.Select(n => "--" + n).Concat(o.ShortNames.Select(n => "-" + n));
        var flags = declared.Where(x => x.Property.PropertyType == typeof(bool)).SelectMany(x => Names(x.Option!)).Append("-h").Append("--help").Order().ToList();
        var values = declared.Where(x => x.Property.PropertyType != typeof(bool)).SelectMany(x => Names(x.Option!)).Order().ToList();

        // Act
        var text = File.ReadAllText(Script);

        // Assert
        Assert.Equal(flags, List(text, "flag_options"));
        Assert.Equal(values, List(text, "value_options"));
    }

    [Theory]
    [InlineData("scripts/run.sh: unknown option '--bogus' (scripts/run.sh --help lists every option)", "--bogus")]
    [InlineData("scripts/run.sh: unknown option '--imgaes' (scripts/run.sh --help lists every option)", "--imgaes=photos")]
    [InlineData("scripts/run.sh: --model needs a value (scripts/run.sh --help lists every option)", "--model")]
    [InlineData("scripts/run.sh: unexpected argument 'photos' (the images folder goes after --images) (scripts/run.sh --help lists every option)", "photos")]
    public async Task BadArgument_IsOneLineAndExit2_BeforeAzuriteOrTheBuild(string expected, params string[] args)
    {
        // Arrange: ports nothing listens on, so a script that went on would start an Azurite (and say so) first.
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        start.ArgumentList.Add(Script);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["AZURITE_BLOB_PORT"] = "1";

        // Act
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        // Assert
        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.Trim());
    }

    private static List<string> List(string script, string name)
    {
        var line = script.Split('\n').Single(l => l.StartsWith(name + "=", StringComparison.Ordinal));
        return line[(name.Length + 2)..line.LastIndexOf('"')].Split(' ', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
    }
}
