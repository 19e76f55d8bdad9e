using CarClassifier.Cli.Commands.Results;

namespace CarClassifier.EndToEnd.Tests;

public sealed class ResultsCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+1+2.jpg", "'+1+2.jpg")]
    [InlineData("-cmd.png", "'-cmd.png")]
    [InlineData("@sum.jpg", "'@sum.jpg")]
    [InlineData("cars/red.jpg", "cars/red.jpg")]
    [InlineData("", "")]
    public void Text_UserControlledField_CannotStartAFormula(string field, string expected)
    {
        Assert.Equal(expected, ResultsCsv.Text(field));
    }

    [Fact]
    public void Quote_FieldWithCommaAndQuote_IsQuotedAndEscaped()
    {
        Assert.Equal("\"a,\"\"b\"\"\"", ResultsCsv.Quote("a,\"b\""));
    }
}
