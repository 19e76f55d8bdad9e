using CarClassifier.Core.Text;

namespace CarClassifier.Core.Tests.Text;

/// <summary>Issue 15, hole 12: a blob name is shown as what it is, never re-ordered or hidden by invisible characters.</summary>
public sealed class VisibleTextTests
{
    [Theory]
    [InlineData("evil\u202Egpj.png", "evil<U+202E>gpj.png")]
    [InlineData("a\u2066b\u2069c\u200Fd\u061Ce", "a<U+2066>b<U+2069>c<U+200F>d<U+061C>e")]
    [InlineData("zero\u200Bwidth\uFEFF", "zero<U+200B>width<U+FEFF>")]
    [InlineData("tab\there\u0001", "tab<U+0009>here<U+0001>")]
    [InlineData("non\uFFFEchar", "non<U+FFFE>char")]
    [InlineData("line\u2028sep", "line<U+2028>sep")]
    public void Escape_InvisibleAndBidiCharacters_AreShownAsCodePoints(string name, string shown)
    {
        Assert.Equal(shown, VisibleText.Escape(name));
    }

    [Theory]
    [InlineData("cars/camaro 2019.jpg")]
    [InlineData("voitures/é/日本/🚗.jpg")]
    [InlineData("שלום/مرحبا.png")]
    [InlineData("")]
    public void Escape_VisibleText_IsUnchanged(string name)
    {
        Assert.Same(name, VisibleText.Escape(name));
    }
}
