using System.Text;

namespace ClusterLlm.Gguf.Tests;

public sealed class GgufFileTests
{
    [TestCaseSource(typeof(Fixtures), nameof(Fixtures.VocabFiles))]
    public void Read_RealVocabFile_ReadsMetadataAndSkipsLargeArrays(string path)
    {
        var file = GgufFile.Read(path);

        Assert.That(file.Version, Is.AnyOf(2u, 3u));
        Assert.That(file.Metadata["general.architecture"].AsString(), Is.Not.Empty);
        var tokens = file.Metadata["tokenizer.ggml.tokens"].AsArray()!;
        Assert.That(tokens.ElementType, Is.EqualTo(GgufValueType.String));
        Assert.That(tokens.Length, Is.GreaterThan(GgufReaderOptions.Default.MaxMaterializedArrayElements));
        Assert.That(tokens.Items, Is.Null, "a vocabulary is counted, not kept in memory");
        Assert.That(file.DataOffset, Is.LessThanOrEqualTo(file.FileSize));
    }

    [Test]
    public void Read_EveryValueType_RoundTrips()
    {
        var writer = new GgufWriter()
            .Add("u8", GgufValueType.UInt8, (byte)200)
            .Add("i8", GgufValueType.Int8, (sbyte)-5)
            .Add("u16", GgufValueType.UInt16, (ushort)60000)
            .Add("i16", GgufValueType.Int16, (short)-300)
            .Add("u32", GgufValueType.UInt32, 4_000_000_000u)
            .Add("i32", GgufValueType.Int32, -70000)
            .Add("f32", GgufValueType.Float32, 1.5f)
            .Add("bool", GgufValueType.Bool, true)
            .Add("str", GgufValueType.String, "héllo")
            .Add("u64", GgufValueType.UInt64, ulong.MaxValue)
            .Add("i64", GgufValueType.Int64, long.MinValue)
            .Add("f64", GgufValueType.Float64, -2.25)
            .Add("arr", GgufValueType.Array, new GgufArray(GgufValueType.UInt16, 3, [(ushort)1, (ushort)2, (ushort)3]))
            .Add("strs", GgufValueType.Array, new GgufArray(GgufValueType.String, 2, ["a", "bc"]));
        writer.AddTensor("t", [32, 2], GgmlType.Q4_0, 9);

        var file = Fixtures.Read(writer.ToBytes());

        var m = file.Metadata;
        Assert.Multiple(() =>
        {
            Assert.That(m["u8"].Value, Is.EqualTo((byte)200));
            Assert.That(m["i8"].Value, Is.EqualTo((sbyte)-5));
            Assert.That(m["u16"].Value, Is.EqualTo((ushort)60000));
            Assert.That(m["i16"].Value, Is.EqualTo((short)-300));
            Assert.That(m["u32"].Value, Is.EqualTo(4_000_000_000u));
            Assert.That(m["i32"].Value, Is.EqualTo(-70000));
            Assert.That(m["f32"].Value, Is.EqualTo(1.5f));
            Assert.That(m["bool"].Value, Is.EqualTo(true));
            Assert.That(m["str"].Value, Is.EqualTo("héllo"));
            Assert.That(m["u64"].Value, Is.EqualTo(ulong.MaxValue));
            Assert.That(m["u64"].TryGetInt64(out _), Is.False, "a ulong above long.MaxValue is not an int64");
            Assert.That(m["i64"].Value, Is.EqualTo(long.MinValue));
            Assert.That(m["f64"].Value, Is.EqualTo(-2.25));
            Assert.That(m["arr"].AsArray()!.AsInt64List(), Is.EqualTo(new long[] { 1, 2, 3 }));
            Assert.That(m["strs"].AsArray()!.Items, Is.EqualTo(new object[] { "a", "bc" }));
            Assert.That(file.Tensors.Single(), Is.EqualTo(file.Tensors[0]).And.Property("ByteSize").EqualTo(36));
            Assert.That(file.Tensors[0].Dimensions, Is.EqualTo(new long[] { 32, 2 }));
        });
    }

    [Test]
    public void Read_CustomAlignment_PlacesDataSectionOnIt()
    {
        var writer = new GgufWriter().AddUInt32("general.alignment", 256);
        writer.AddTensor("a", [3], GgmlType.F32).AddTensor("b", [5], GgmlType.F32);

        var file = Fixtures.Read(writer.ToBytes());

        Assert.That(file.DataOffset % 256, Is.Zero);
        Assert.That(file.Tensors[1].Offset, Is.EqualTo(256ul));
    }

    private static byte[] Header(uint version = 3, ulong tensors = 0, ulong kvs = 0, uint magic = 0x46554747)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(magic);
        w.Write(version);
        w.Write(tensors);
        w.Write(kvs);
        return stream.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Str(string s) => Concat(BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(s)), Encoding.UTF8.GetBytes(s));

    private static byte[] U32(uint v) => BitConverter.GetBytes(v);

    private static byte[] U64(ulong v) => BitConverter.GetBytes(v);

    private static IEnumerable<TestCaseData> HostileInputs()
    {
        yield return new TestCaseData(Array.Empty<byte>(), "file ends while reading magic", 0L).SetName("Read_EmptyFile_Throws");
        yield return new TestCaseData(Header(magic: 0x12345678), "not a GGUF file", 0L).SetName("Read_BadMagic_Throws");
        yield return new TestCaseData(Header(version: 1), "version 1 is not supported", 4L).SetName("Read_Version1_Throws");
        yield return new TestCaseData(Header(version: 0x03000000), "big-endian", 4L).SetName("Read_BigEndian_Throws");
        yield return new TestCaseData(Header(tensors: ulong.MaxValue), "tensor count", 8L).SetName("Read_HugeTensorCount_Throws");
        yield return new TestCaseData(Header(kvs: 1UL << 40), "metadata entry count", 16L).SetName("Read_HugeMetadataCount_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), U64(ulong.MaxValue), new byte[32]), "declares 18446744073709551615 bytes", 24L).SetName("Read_HugeKeyLength_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(99), new byte[16]), "unknown value type code 99", 33L).SetName("Read_UnknownValueType_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(8), U64(1UL << 50), new byte[16]), "value of metadata 'k' declares 1125899906842624 bytes", 37L).SetName("Read_HugeStringLength_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(9), U32(6), U64(1UL << 62), new byte[16]), "array 'k' declares 4611686018427387904", 41L).SetName("Read_HugeArrayLength_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(9), U32(9), U64(1), new byte[16]), "holds arrays", 0L).SetName("Read_NestedArray_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(7), new byte[] { 2 }), "invalid byte 2", 37L).SetName("Read_BadBool_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 2), Str("k"), U32(4), U32(1), Str("k"), U32(4), U32(1)), "duplicate metadata key 'k'", 41L).SetName("Read_DuplicateKey_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("k"), U32(8), U64(2), new byte[] { 0xC3, 0x28 }), "not valid UTF-8", 0L).SetName("Read_InvalidUtf8_Throws");
        yield return new TestCaseData(Concat(Header(kvs: 1), Str("general.alignment"), U32(4), U32(48)), "power of two", 0L).SetName("Read_BadAlignment_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(5), U64(1), U64(1), U64(1), U64(1), U64(1), U32(0), U64(0)), "5 dimensions", 0L).SetName("Read_TooManyDimensions_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(2), U64(1UL << 40), U64(1UL << 40), U32(0), U64(0)), "product must fit in int64", 0L).SetName("Read_DimensionOverflow_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(1), U64(4), U32(4), U64(0), new byte[8]), "unknown or removed ggml type 4", 0L).SetName("Read_RemovedTensorType_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(1), U64(33), U32(2), U64(0), new byte[8]), "not a multiple of the Q4_0 block size 32", 0L).SetName("Read_PartialBlock_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(1), U64(4), U32(0), U64(64), new byte[8]), "has data offset 64, expected 0", 0L).SetName("Read_WrongTensorOffset_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str("t"), U32(1), U64(1024), U32(0), U64(0), new byte[64]), "file is truncated: tensor data needs 4096 bytes", 64L).SetName("Read_TruncatedTensorData_Throws");
        yield return new TestCaseData(Concat(Header(tensors: 1), Str(new string('x', 64)), U32(1), U64(4), U32(0), U64(0)), "above the limit of 63", 24L).SetName("Read_LongTensorName_Throws");
    }

    [TestCaseSource(nameof(HostileInputs))]
    public void Read_HostileInput_ThrowsFormatExceptionNamingProblemAndOffset(byte[] bytes, string message, long offset)
    {
        var e = Assert.Throws<GgufFormatException>(() => Fixtures.Read(bytes));

        Assert.That(e!.Message, Does.Contain(message));
        Assert.That(e.Offset, Is.Not.Null);
        if (offset > 0)
        {
            Assert.That(e.Offset, Is.EqualTo(offset));
        }
    }

    [Test]
    public void Read_StringAboveConfiguredLimit_Throws()
    {
        var bytes = new GgufWriter().AddString("tokenizer.chat_template", new string('x', 100)).ToBytes();

        var e = Assert.Throws<GgufFormatException>(() => Fixtures.Read(bytes, new GgufReaderOptions { MaxStringLength = 99 }));

        Assert.That(e!.Message, Does.Contain("above the limit of 99"));
    }

    [Test]
    public void Read_FileOnDisk_NamesThePathInErrors()
    {
        using var dir = new TempDirectory();
        var path = dir.File("broken.gguf");
        File.WriteAllBytes(path, Header(version: 7));

        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Read(path));

        Assert.That(e!.Message, Does.StartWith(path + ": unsupported GGUF version 7"));
    }
}
