using CarClassifier.Cli.Commands.Shared;
using Spectre.Console.Cli;

namespace CarClassifier.EndToEnd.Tests;

/// <summary>Command-line mistakes: each is one line and exit 2, found before any storage or model is touched.</summary>
public sealed class CliUsageTests
{
    internal static readonly string[] Commands =
        ["", "run", "host", "upload", "watch", "results", "batches", "report", "model", "model info", "model verify", "model download", "model generate", "poison", "poison list", "poison replay", "poison purge"];

    [Theory]
    [InlineData("upload", ".", "--prefx", "batch-2/")]
    [InlineData("results", "--prefx", "mine/")]
    [InlineData("results", "--account-nme", "x")]
    [InlineData("watch", "--prefix", "a/", "--timout", "5")]
    [InlineData("poison", "list", "--jsn")]
    [InlineData("model", "info", "color-tiny", "--cahce", "x")]
    public async Task UnknownOption_IsAUsageError_NotIgnored(params string[] args)
    {
        var (exit, output) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("Unknown option", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("watch", "--timeout", "soon")]
    [InlineData("nosuchcommand")]
    [InlineData("results", "--connection", "not a connection string")]
    [InlineData("results", "--log-level", "loud")]
    [InlineData("model", "info", "color-tiny", "--log-level", "verbose")]
    [InlineData("train", "--log-level", "chatty")]
    public async Task BadValueOrCommand_IsAUsageError(params string[] args)
    {
        var (exit, output) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("Error:", output.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Say which messages: --all, or one or more --id <MESSAGE_ID> from 'carclass poison list'.", "poison", "purge", "--yes")]
    [InlineData("Pass either --all or --id, not both.", "poison", "purge", "--all", "--id", "abc", "--yes")]
    [InlineData("Say which messages: --all, or one or more --id <MESSAGE_ID> from 'carclass poison list'.", "poison", "replay")]
    [InlineData("Pass either --all or --id, not both.", "poison", "replay", "--all", "--id", "abc")]
    public async Task PoisonPurgeOrReplay_WithoutExactlyOneOfAllOrId_IsAOneLineUsageError_BeforeConnecting(string message, params string[] args)
    {
        // A connection nothing listens on: a check that ran after connecting would report storage (exit 4) instead.
        var dead = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;" +
            "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        var (exit, output) = await CliRunner.RunAsync([.. args, "--connection", dead]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"Error: {message} See 'carclass --help'.", output.Trim());
    }

    [Theory]
    [InlineData("--limit takes a whole number, not 'abc'.", "results", "--limit", "abc")]
    [InlineData("--limit takes a whole number, not 'abc'.", "results", "--limit=abc")]
    [InlineData("--timeout takes a whole number, not 'soon'.", "watch", "--timeout", "soon")]
    public async Task ValueOfTheWrongKind_NamesTheOptionAndWhatItTakes_NoTypeName(string message, params string[] args)
    {
        var (exit, output) = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"Error: {message} See 'carclass --help'.", output.Trim());
    }

    [Theory]
    [InlineData("report", "--out", "{file}")]
    [InlineData("report", "--out", "{file}/inside")]
    [InlineData("train", "--data", ".", "--base", "resnet18-imagenet-features", "--out", "{file}")]
    [InlineData("train", "--data", ".", "--base", "resnet18-imagenet-features", "--out", "x", "--cache", "{file}")]
    [InlineData("evaluate", "--model", "color-tiny", "--data", ".", "--format", "html", "--out", "{file}/page")]
    [InlineData("model", "generate", "color-tiny", "--cache", "{file}")]
    [InlineData("results", "--log-file", "{dir}")]
    public async Task OutputPath_OfTheWrongKind_IsOneLineAndExit2_BeforeAnythingRuns(params string[] template)
    {
        // Arrange: a real file and a real folder to misuse. The storage connection points nowhere: a check made after
        // connecting would say "storage" (exit 4) instead.
        var dir = Directory.CreateTempSubdirectory("carclass-out-").FullName;
        var file = Path.Combine(dir, "README.md");
        await File.WriteAllTextAsync(file, "not a folder");
        var args = template.Select(a => a.Replace("{file}", file, StringComparison.Ordinal).Replace("{dir}", dir, StringComparison.Ordinal)).ToArray();
        string[] storage = args[0] is "report" or "results"
            ? ["--connection", "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;"]
            : [];

        // Act
        var (exit, output) = await CliRunner.RunAsync([.. args, .. storage]);

        // Assert
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Single(output.Trim().Split('\n'));
        Assert.StartsWith("Error: --", output.Trim(), StringComparison.Ordinal);
        Assert.True(File.Exists(file) && !Directory.Exists(file + "/inside"), "nothing was created");
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("poison")]
    public async Task Group_WithoutSubcommand_ShowsHelpAndIsAUsageError(string group)
    {
        var (exit, output) = await CliRunner.RunAsync(group);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("COMMANDS:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpExamples_AllParse_AsSpectreSeesThem()
    {
        // ValidateExamples parses every WithExample at start and throws on one that does not parse.
        var (exit, output) = await CliRunner.RunAsync(["--help"], config => config.ValidateExamples());

        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task HelpExamples_AllParse_AsAUserCopiesThem()
    {
        // What --help prints is what a user pastes into a shell: split on spaces, as the shell does with unquoted text.
        var examples = new HashSet<string>(StringComparer.Ordinal);
        foreach (var command in Commands)
        {
            var (exit, output) = await CliRunner.RunAsync([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
            Assert.Equal(0, exit);
            var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var start = lines.FindIndex(l => l.TrimStart().StartsWith("EXAMPLES:", StringComparison.Ordinal));
            if (start < 0) continue;
            foreach (var line in lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0))
            {
                examples.Add(line.Trim());
            }
        }

        Assert.True(examples.Count >= 10, $"only {examples.Count} examples found");
        foreach (var example in examples)
        {
            Assert.StartsWith("carclass ", example, StringComparison.Ordinal);
            var tokens = example.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            var (exit, output) = await CliRunner.RunAsync([.. tokens, "--help"]);
            Assert.True(exit == 0, $"'{example}' does not parse: {output}");
        }
    }
}
