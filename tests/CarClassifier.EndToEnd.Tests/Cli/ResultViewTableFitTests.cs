using CarClassifier.Cli.Commands.Results;
using CarClassifier.Core.Results;
using Spectre.Console;

namespace CarClassifier.EndToEnd.Tests.Cli;

/// <summary>Cells are cut to terminal columns, not characters: a CJK character takes two.</summary>
public sealed class ResultViewTableFitTests
{
    [Theory]
    [InlineData("駐車場の赤いスポーツカー.jpg", 19, true, "…いスポーツカー.jpg")]
    [InlineData("駐車場の赤いスポーツカー.jpg", 20, true, "…いスポーツカー.jpg")] // One column left over: half a character does not exist.
    [InlineData("駐車場の赤いスポーツカー.jpg", 30, true, "駐車場の赤いスポーツカー.jpg")]
    [InlineData("UnknownFormat: 認識できない形式です", 20, false, "UnknownFormat: 認識…")]
    [InlineData("a-rather-long-name.jpg", 10, true, "…-name.jpg")]
    [InlineData("not a recognised image format", 10, false, "not a rec…")]
    [InlineData("two\nlines", 20, false, "two lines")]
    public void Fit_CutsToColumns(string text, int width, bool fromStart, string expected)
    {
        var fitted = ResultViewTable.Fit(text, width, fromStart);

        Assert.Equal(expected, fitted);
        Assert.True(fitted.GetCellWidth() <= width, $"{fitted}: {fitted.GetCellWidth()} columns");
    }

    [Fact]
    public void Write_At80Columns_NoErrors_VehicleAndLabelKeepTheirText_EmptyErrorColumnStaysNarrow()
    {
        // Arrange: what a batch of car photos gives, every row succeeded, one not a vehicle.
        var rows = new List<ResultView>
        {
            Row("batch-1/IMG_20261130_081512.jpg", "not a vehicle", "tabby, tabby cat"),
            Row("batch-1/red-sports-car.jpg", "sports car", "sports car, sport car"),
            Row("batch-1/van.jpg", "van", "minivan"),
        };
        var previous = AnsiConsole.Console;
        using var writer = new StringWriter();
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        try
        {
            // Act
            ResultViewTable.Write(rows, "batch-1/", 80);
        }
        finally
        {
            AnsiConsole.Console = previous;
        }

        // Assert
        var lines = writer.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.True(l.GetCellWidth() <= 80, l));
        Assert.Contains(lines, l => l.Contains("not a vehicle", StringComparison.Ordinal) && l.Contains("tabby, tabby cat", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("081512.jpg", StringComparison.Ordinal)); // The name keeps its end.
        Assert.Contains(lines, l => l.Contains("│ sports car    │", StringComparison.Ordinal));
        var header = lines.First(l => l.Contains("Error", StringComparison.Ordinal));
        Assert.True(header.Length - header.IndexOf("Error", StringComparison.Ordinal) <= 8, $"the empty Error column is wider than its header: {header}");
    }

    [Theory]
    [InlineData(55, new[] { 30, 13, 20, 5 }, new[] { 19, 13, 18, 5 })] // 80 columns: vehicle and error get what they need.
    [InlineData(80, new[] { 30, 13, 20, 5 }, new[] { 30, 13, 20, 5 })] // Room for all.
    [InlineData(40, new[] { 60, 60, 60, 60 }, new[] { 10, 10, 10, 10 })]
    [InlineData(10, new[] { 60, 1, 1, 1 }, new[] { 5, 5, 5, 5 })] // Never under 5.
    public void Share_GivesEachColumnItsNeed_WhenItIsUnderAnEvenShare(int room, int[] needs, int[] expected) =>
        Assert.Equal(expected, ResultViewTable.Share(room, needs));

    private static ResultView Row(string name, string vehicle, string label) => new()
    {
        BlobName = name,
        BlobPath = "images/" + name,
        Status = "Succeeded",
        VehicleType = vehicle,
        Label = label,
        Probability = 0.9,
    };
}
