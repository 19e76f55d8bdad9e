namespace CarClassifier.ModelGeneration;

/// <summary>One class of the colour classifier: its label and its pure sRGB colour (0..255).</summary>
public sealed record ColorPrototype(string Name, byte Red, byte Green, byte Blue);
