namespace ClusterLlm.LlamaCpp.Tests;

public sealed class LlamaBackendTests
{
    [Test]
    public void Initialize_PinnedBuild_RegistersCpuBackendWithADevice()
    {
        var backend = LlamaBackend.Initialize();

        Assert.That(backend.Registries, Does.Contain("CPU"));
        Assert.That(backend.Devices.Select(d => d.Name), Has.Some.StartsWith("CPU"));
    }

    [Test]
    public void SystemInfo_AfterInitialize_DescribesTheCpuBackend()
    {
        LlamaBackend.Initialize();

        Assert.That(LlamaBackend.SystemInfo, Does.Contain("CPU"));
    }
}
