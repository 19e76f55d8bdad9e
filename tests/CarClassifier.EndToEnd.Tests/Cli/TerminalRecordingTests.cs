using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;
using Xunit.Abstractions;

namespace CarClassifier.EndToEnd.Tests.Cli;

/// <summary>
/// The main commands in a real 80-column terminal: scripts/record-80-columns.sh runs the built CLI in a tmux pane of
/// 80x50 (or a `script` pty), against its own Azurite, on the sample photos plus a long name, a CJK name and a text
/// file saved as .jpg; this checks what the pane shows. Every line fits in 80 columns (measured in terminal cells: a
/// CJK character takes two) except prose, which the terminal wraps (the transcript joins its soft wraps), each result
/// row takes one line (names cut with "…", never wrapped), no text is wrapped one word per line, and each command says
/// what it should. The transcript is kept in artifacts/.
/// </summary>
public sealed partial class TerminalRecordingTests(ITestOutputHelper output)
{
    private const int Columns = 80;
    private const int Images = 19; // samples/images (16) + the three awkward files.

    [Fact]
    public async Task MainCommands_InAn80ColumnTerminal_EveryLineFits()
    {
        if (!new[] { "/usr/bin/tmux", "/usr/local/bin/tmux", "/usr/bin/script", "/bin/script" }.Any(File.Exists))
        {
            // Same rule as the other optional tools: printed reason (scripts/test.sh installs tmux with apt-get).
            Console.WriteLine("SKIPPED: neither tmux nor script is installed; the 80-column recording was not made (apt-get install tmux).");
            output.WriteLine("SKIPPED: neither tmux nor script is installed (apt-get install tmux).");
            return;
        }

        // Arrange: the transcript goes to artifacts/ (kept after the run) and the recording's Azurite to this run's ports.
        var transcript = Path.Combine(RepoPaths.Root, "artifacts", "terminal-80-columns.txt");
        var port = AzuriteProcess.TestPortBase + 6;

        // Act
        var (exit, log) = await RecordAsync(transcript, port);

        // Assert
        Assert.True(exit == 0, $"scripts/record-80-columns.sh exited {exit}:\n{log}");
        var text = await File.ReadAllTextAsync(transcript);
        output.WriteLine($"Transcript ({transcript}):\n{text}");
        var lines = text.Split('\n');
        // Tables, grids and help (lines that start with a border or an indent) fit the 80 columns. Prose (a line that
        // starts with text: summaries, hints, log lines) is written unwrapped and the terminal wraps it (issue 24: a URL,
        // hash or command is never split by us); the transcript joins the terminal's soft wraps back into one line.
        var tooWide = lines.Where(l => Width(l) > Columns && (l.Length == 0 || !char.IsLetterOrDigit(l[0]))).ToList();
        Assert.True(tooWide.Count == 0, $"Lines wider than {Columns} columns:\n{string.Join('\n', tooWide.Select(l => $"[{Width(l)}] {l}"))}");

        var sections = Sections(text);
        Assert.Equal(
            ["carclass --help", "carclass model info color-tiny", "carclass upload photos --prefix demo/", "carclass run --model color-tiny --images photos --prefix demo/",
             "carclass watch --prefix demo/ --timeout 120", "COLUMNS=200 carclass results --prefix demo/", "carclass results --prefix demo/ --summary", "carclass batches", "carclass poison list"],
            sections.Keys);
        foreach (var (command, body) in sections)
        {
            var expectedExit = command.Contains(" run ", StringComparison.Ordinal) || command.Contains(" watch ", StringComparison.Ordinal) ? 1 : 0; // One file is no image.
            Assert.True(body.TrimEnd().EndsWith($"[exit {expectedExit}]", StringComparison.Ordinal), $"{command}:\n{body}");
            AssertNoWordPerLine(command, body);
        }

        Assert.All(new[] { "COMMANDS:", "run ", "upload ", "watch ", "results ", "batches ", "poison ", "model " }, s => Assert.Contains(s, sections["carclass --help"], StringComparison.Ordinal));
        Assert.Contains("color-tiny@1#", sections["carclass model info color-tiny"], StringComparison.Ordinal);
        Assert.Contains($"{Images} files: {Images} uploaded", sections["carclass upload photos --prefix demo/"], StringComparison.Ordinal);
        Assert.Contains($"{Images} images: {Images - 1} succeeded, 1 failed", sections["carclass run --model color-tiny --images photos --prefix demo/"], StringComparison.Ordinal);
        Assert.Contains($"All {Images} images have a row", sections["carclass watch --prefix demo/ --timeout 120"], StringComparison.Ordinal);
        Assert.Contains("UnknownFormat", sections["carclass results --prefix demo/ --summary"], StringComparison.Ordinal);
        Assert.Contains("demo/", sections["carclass batches"], StringComparison.Ordinal);
        Assert.Contains("No poison messages.", sections["carclass poison list"], StringComparison.Ordinal);

        // The result tables of run and results (COLUMNS=200 set, but the terminal's 80 columns win): one line per row.
        foreach (var command in new[] { "carclass run --model color-tiny --images photos --prefix demo/", "COLUMNS=200 carclass results --prefix demo/" })
        {
            var rows = sections[command].Split('\n').Where(l => l.StartsWith('│')).ToList();
            Assert.True(rows.Count == Images + 1, $"{command}: {rows.Count} table lines for {Images} rows and the header (a row wrapped?):\n{sections[command]}");
            Assert.Contains(rows, r => r.StartsWith("│ …", StringComparison.Ordinal) && r.Contains("_081512.jpg │", StringComparison.Ordinal));
            Assert.Contains(rows, r => r.Contains("ツカー.jpg", StringComparison.Ordinal) && r.Contains("Succeeded", StringComparison.Ordinal));
            Assert.Contains(rows, r => r.Contains("notes-saved-as.jpg", StringComparison.Ordinal) && r.Contains("UnknownFormat: ", StringComparison.Ordinal));
            Assert.All(rows, r => Assert.Equal(Columns, Width(r)));
        }
    }

    /// <summary>Terminal cells of a line without escapes (a CJK character takes two).</summary>
    private static int Width(string line) => Escapes().Replace(line.TrimEnd('\r'), "").TrimEnd().GetCellWidth();

    /// <summary>The transcript per command: "$ command" up to the next one.</summary>
    private static Dictionary<string, string> Sections(string text)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var body = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("$ ", StringComparison.Ordinal))
            {
                if (current is not null) sections[current] = string.Join('\n', body);
                current = line[2..].TrimEnd();
                body.Clear();
            }
            else if (current is not null)
            {
                body.Add(line);
            }
        }

        if (current is not null) sections[current] = string.Join('\n', body);
        return sections;
    }

    /// <summary>Text wrapped one word per line (what a narrow error cell used to do): three one-word lines in a row.</summary>
    private static void AssertNoWordPerLine(string command, string body)
    {
        var run = 0;
        foreach (var line in body.Split('\n'))
        {
            var words = line.Split([' ', '│', '|'], StringSplitOptions.RemoveEmptyEntries);
            run = words.Length == 1 && !line.TrimStart().StartsWith('╭') && !line.TrimStart().StartsWith('╰') && !line.TrimStart().StartsWith('├') ? run + 1 : 0;
            Assert.True(run < 3, $"{command}: text wrapped one word per line:\n{body}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RecordAsync(string transcript, int port)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(RepoPaths.Root, "scripts", "record-80-columns.sh"), "--out", transcript, "--azurite-port", port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CONFIGURATION"] = RepoPaths.Configuration;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/record-80-columns.sh did not finish within 15 minutes:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Escapes();
}
