using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CarClassifier.ModelGeneration;

/// <summary>
/// The few protobuf wire-format primitives ONNX needs, written into a buffer whose exact size is
/// computed up front (see <see cref="OnnxMessage"/>), so a 100 MB model is serialised with one copy
/// and no protobuf package.
/// </summary>
internal sealed class ProtoWriter
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    private readonly byte[] _buffer;
    private int _position;

    public ProtoWriter(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _buffer = buffer;
    }

    public int Position => _position;

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int TagSize(int field) => VarintSize((ulong)field << 3);

    /// <summary>Size of a varint field; int64 values are sign-extended to 64 bits, as protobuf does.</summary>
    public static int VarintFieldSize(int field, long value) => TagSize(field) + VarintSize((ulong)value);

    public static int LengthDelimitedFieldSize(int field, int length) => TagSize(field) + VarintSize((ulong)length) + length;

    public static int StringFieldSize(int field, string value) => LengthDelimitedFieldSize(field, Encoding.UTF8.GetByteCount(value));

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    public void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    public void WriteVarintField(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint((ulong)value);
    }

    public void WriteFloatField(int field, float value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_position, 4), value);
        _position += 4;
    }

    public void WriteStringField(int field, string value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)Encoding.UTF8.GetByteCount(value));
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    public void WriteMessageField(int field, OnnxMessage message)
    {
        var size = message.ComputeSize();
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)size);
        var start = _position;
        message.WriteTo(this);
        if (_position - start != size)
        {
            // A size/write disagreement would corrupt every later length prefix; fail loudly instead.
            throw new InvalidOperationException($"{message.GetType().Name} wrote {_position - start} bytes but announced {size}.");
        }
    }

    /// <summary>Writes floats as a bytes field in IEEE 754 little-endian order, whatever the host's endianness.</summary>
    public void WriteFloatsAsBytesField(int field, ReadOnlySpan<float> values)
    {
        var length = checked(values.Length * sizeof(float));
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
        var destination = _buffer.AsSpan(_position, length);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
            }
        }

        _position += length;
    }

    /// <summary>Writes floats rounded to IEEE 754 half precision as a bytes field, little-endian.</summary>
    public void WriteFloatsAsHalfBytesField(int field, ReadOnlySpan<float> values)
    {
        var length = checked(values.Length * 2);
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
        var destination = _buffer.AsSpan(_position, length);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)values[i]);
        }

        _position += length;
    }

    /// <summary>
    /// Writes a repeated int64 unpacked (one tag per value): onnx.proto is proto2 and does not mark
    /// dims or ints as packed, so this is what the reference onnx serialiser emits.
    /// </summary>
    public void WriteRepeatedInt64Field(int field, IReadOnlyList<long> values)
    {
        foreach (var value in values)
        {
            WriteVarintField(field, value);
        }
    }

    public static int RepeatedInt64FieldSize(int field, IReadOnlyList<long> values)
    {
        var size = 0;
        foreach (var value in values)
        {
            size += VarintFieldSize(field, value);
        }

        return size;
    }
}
