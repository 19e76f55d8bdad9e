using CarClassifier.Cli.Commands.Results;
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
}
