using CarClassifier.ModelGeneration;

namespace CarClassifier.Core.Tests.Models.Generation;

public sealed class ProtoWriterTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(300UL, new byte[] { 0xAC, 0x02 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void WriteVarint_KnownValues_MatchesProtobufEncoding(ulong value, byte[] expected)
    {
        // Arrange
        var buffer = new byte[ProtoWriter.VarintSize(value)];
        var writer = new ProtoWriter(buffer);

        // Act
        writer.WriteVarint(value);

        // Assert
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void ToByteArray_TinyModel_StartsWithIrVersionField()
    {
        // Arrange
        var graph = new OnnxGraph("g");
        graph.Inputs.Add(new OnnxValueInfo("x", [-1, 2]));
        graph.Outputs.Add(new OnnxValueInfo("y", [-1, 2]));
        graph.Nodes.Add(new OnnxNode("Relu", "relu", ["x"], ["y"]));
        var model = new OnnxModel(graph, "test");

        // Act
        var bytes = model.ToByteArray();

        // Assert: field 1 varint (tag 0x08) holding the IR version, then producer_name (tag 0x12).
        Assert.Equal([0x08, (byte)OnnxModel.IrVersion, 0x12], bytes[..3]);
    }
}
