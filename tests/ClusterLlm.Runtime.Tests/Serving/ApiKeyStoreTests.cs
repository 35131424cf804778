using ClusterLlm.Runtime.Serving;

namespace ClusterLlm.Runtime.Tests.Serving;

public sealed class ApiKeyStoreTests
{
    private string _file = null!;

    [SetUp]
    public void SetUp() => _file = Path.GetTempFileName();

    [TearDown]
    public void TearDown() => File.Delete(_file);

    [Test]
    public void IsValid_KeysFromFile_AcceptsEachAndNothingElse()
    {
        File.WriteAllText(_file, "  first-key \n\nsecond-key\n");

        var store = ApiKeyStore.Load(_file);

        Assert.Multiple(() =>
        {
            Assert.That(store.Enabled, Is.True);
            Assert.That(store.IsValid("first-key"), Is.True);
            Assert.That(store.IsValid("second-key"), Is.True);
            Assert.That(store.IsValid("first-ke"), Is.False);
            Assert.That(store.IsValid(""), Is.False);
            Assert.That(store.IsValid("first-key "), Is.False);
        });
    }

    [Test]
    public void Load_EmptyFile_FailsNamingTheFlag()
    {
        File.WriteAllText(_file, "\n  \n");

        Assert.That(() => ApiKeyStore.Load(_file), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("--api-key-file"));
    }

    [Test]
    public void Empty_IsDisabled()
    {
        Assert.That(ApiKeyStore.Empty.Enabled, Is.False);
    }
}
