using ClusterLlm.Runtime.Pull;

namespace ClusterLlm.Runtime.Tests.Pull;

/// <summary>Pulls from a real Kestrel server on loopback that injects faults.</summary>
public sealed class ModelPullerTests
{
    private static readonly byte[] Content = PullHarness.Model();
    private static readonly string ContentSha = PullHarness.Sha256(Content);

    private FaultServer server = null!;

    [SetUp]
    public async Task StartServer() => server = await FaultServer.StartAsync();

    [TearDown]
    public async Task StopServer() => await server.DisposeAsync();

    [Test]
    public async Task PullAsync_ConnectionDroppedSeveralTimes_ResumesWithRangeAndHashMatches()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.DropAfter(100_000), new Fault.DropAfter(150_000), new Fault.DropAfter(70_000));
        await using var pull = new PullHarness();

        var result = await pull.PullAsync(uri.AbsoluteUri, ContentSha);

        Assert.That(result.Sha256, Is.EqualTo(ContentSha));
        Assert.That(File.ReadAllBytes(result.Path), Is.EqualTo(Content));
        Assert.That(result.Attempts, Is.EqualTo(4));
        var ranges = server.Requests.Select(r => r.RangeFrom ?? 0).ToArray();
        Assert.That(ranges[0], Is.Zero);
        Assert.That(ranges, Is.Ordered.Ascending, "each attempt resumes where the last one stopped");
        Assert.That(ranges[^1], Is.GreaterThan(0).And.LessThanOrEqualTo(320_000));
        Assert.That(pull.FilesLeft(), Is.EquivalentTo(new[] { "m.gguf", "m.gguf.verified.json" }));
    }

    [Test]
    public async Task PullAsync_ServerErrorTwiceThenOk_Succeeds()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Status(500), new Fault.Status(503));
        await using var pull = new PullHarness();

        var result = await pull.PullAsync(uri.AbsoluteUri, ContentSha);

        Assert.That(result.Attempts, Is.EqualTo(3));
        Assert.That(result.Sha256, Is.EqualTo(ContentSha));
    }

    [Test]
    public async Task PullAsync_RateLimitedWithRetryAfter_WaitsTheDelayTheServerAsked()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Status(429, RetryAfter: "1"));
        await using var pull = new PullHarness();

        var file = await pull.Downloader.DownloadAsync(pull.Resolver.Resolve(uri.AbsoluteUri).Single(), Path.Combine(pull.Destination, "m.gguf"), ContentSha, CancellationToken.None);

        Assert.That(file.RetryDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(1) }));
        Assert.That(file.Attempts, Is.EqualTo(2));
    }

    [TestCase(404, nameof(PullFailure.NotFound))]
    [TestCase(410, nameof(PullFailure.NotFound))]
    [TestCase(401, nameof(PullFailure.Unauthorized))]
    [TestCase(403, nameof(PullFailure.Unauthorized))]
    public async Task PullAsync_PermanentHttpFailure_FailsFastWithoutRetry(int status, string expected)
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Status(status));
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(uri.AbsoluteUri));

        Assert.That(e!.Failure.ToString(), Is.EqualTo(expected));
        Assert.That(e.IsRetryable, Is.False);
        Assert.That(e.Message, Does.Contain($"HTTP {status}"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        Assert.That(File.Exists(Path.Combine(pull.Destination, "m.gguf")), Is.False);
    }

    [Test]
    public async Task PullAsync_CorruptedByte_FailsChecksumAndLeavesNothing()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Corrupt(At: 12_345));
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(uri.AbsoluteUri, ContentSha));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.ChecksumMismatch));
        Assert.That(e.Message, Does.Contain("expected " + ContentSha));
        Assert.That(pull.FilesLeft(), Is.Empty, "no file at the final path, and no partial to resume from");
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task PullAsync_ServerIgnoresRange_RestartsFromZeroWithCorrectHash()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.DropAfter(200_000), new Fault.IgnoreRange());
        await using var pull = new PullHarness();

        var result = await pull.PullAsync(uri.AbsoluteUri, ContentSha);

        Assert.That(result.Sha256, Is.EqualTo(ContentSha));
        Assert.That(File.ReadAllBytes(result.Path), Is.EqualTo(Content));
        var requests = server.Requests.ToArray();
        Assert.That(requests, Has.Length.EqualTo(2));
        Assert.That(requests[1].RangeFrom, Is.GreaterThan(0), "the client asked to resume; the server sent everything");
    }

    [Test]
    public async Task PullAsync_StalledServer_ReadTimeoutFiresAndFailureIsRetryable()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Stall(50_000), new Fault.Stall(50_000));
        await using var pull = new PullHarness(o =>
        {
            o.ReadTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetries = 1;
        });

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(uri.AbsoluteUri, ContentSha));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.Timeout));
        Assert.That(e.IsRetryable, Is.True);
        var ranges = server.Requests.Select(r => r.RangeFrom ?? 0).ToArray();
        Assert.That(ranges, Has.Length.EqualTo(2));
        Assert.That(ranges[1], Is.GreaterThan(0), "the retry resumed after the bytes that did arrive");
        Assert.That(ranges[1], Is.EqualTo(50_000));
        Assert.That(pull.FilesLeft(), Does.Not.Contain("m.gguf"));
        Assert.That(pull.FilesLeft(), Does.Contain("m.gguf.partial"), "kept for the next attempt");
    }

    [Test]
    public async Task PullAsync_CancelledMidDownload_StopsAndKeepsThePartialForTheNextRun()
    {
        var uri = server.Serve("m.gguf", Content);
        server.Script(new Fault.Stall(100_000));
        await using var pull = new PullHarness();
        using var cancel = new CancellationTokenSource();

        var pulling = pull.Puller.PullAsync(new PullRequest(uri.AbsoluteUri, pull.Destination, [ContentSha]), cancel.Token);
        for (var waited = 0; !File.Exists(Path.Combine(pull.Destination, "m.gguf.partial")) || server.Requests.IsEmpty; waited++)
        {
            Assert.That(waited, Is.LessThan(1000), "the download never started");
            await Task.Delay(10);
        }

        await cancel.CancelAsync();

        Assert.That(async () => await pulling, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(pull.FilesLeft(), Does.Not.Contain("m.gguf"));
        var resumed = await pull.PullAsync(uri.AbsoluteUri, ContentSha);
        Assert.That(resumed.Sha256, Is.EqualTo(ContentSha));
    }

    [Test]
    public async Task PullAsync_NotEnoughDiskSpace_FailsPermanentlyBeforeWriting()
    {
        var uri = server.Serve("m.gguf", Content);
        await using var pull = new PullHarness(freeSpace: new QuotaFreeSpaceProvider(Content.Length - 1));

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(uri.AbsoluteUri, ContentSha));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.InsufficientStorage));
        Assert.That(e.Message, Does.Contain($"{Content.Length} more bytes are needed but only "));
        Assert.That(new FileInfo(Path.Combine(pull.Destination, "m.gguf.partial")).Length, Is.Zero);
    }

    [Test]
    public async Task PullAsync_ExistingVerifiedFile_MakesNoRequestAtAll()
    {
        var uri = server.Serve("m.gguf", Content);
        await using var pull = new PullHarness();
        await pull.PullAsync(uri.AbsoluteUri, ContentSha);
        server.Requests.Clear();

        var again = await pull.PullAsync(uri.AbsoluteUri, ContentSha);
        var withoutDigest = await pull.PullAsync(uri.AbsoluteUri);

        Assert.That(server.Requests, Is.Empty);
        Assert.That(again.Reused && withoutDigest.Reused, Is.True);
        Assert.That(withoutDigest.Sha256, Is.EqualTo(ContentSha));
    }

    [Test]
    public async Task PullAsync_VerifiedFileFromOlderOrNewerTool_IsReusedWithoutRequests()
    {
        var uri = server.Serve("m.gguf", Content);
        await using var pull = new PullHarness();
        var first = await pull.PullAsync(uri.AbsoluteUri, ContentSha);
        server.Requests.Clear();
        var record = first.Path + ".verified.json";

        // A newer tool may add fields: they are ignored.
        File.WriteAllText(record, File.ReadAllText(record).TrimEnd('}') + ",\"addedLater\":{\"x\":1}}");
        var newer = await pull.PullAsync(uri.AbsoluteUri, ContentSha);
        // An older tool wrote no record: the local bytes are hashed, not downloaded.
        File.Delete(record);
        var older = await pull.PullAsync(uri.AbsoluteUri, ContentSha);

        Assert.That(server.Requests, Is.Empty);
        Assert.That(newer.Reused && older.Reused, Is.True);
        Assert.That(File.Exists(record), Is.True, "the record is written again after hashing");
    }

    [Test]
    public async Task PullAsync_ExistingFileWithWrongContent_IsReplacedAtomically()
    {
        var uri = server.Serve("m.gguf", Content);
        await using var pull = new PullHarness();
        File.WriteAllText(Path.Combine(pull.Destination, "m.gguf"), "stale");

        var result = await pull.PullAsync(uri.AbsoluteUri, ContentSha);

        Assert.That(result.Reused, Is.False);
        Assert.That(File.ReadAllBytes(result.Path), Is.EqualTo(Content));
    }

    [Test]
    public async Task PullAsync_SplitGguf_FetchesAndVerifiesEveryPart()
    {
        var parts = Enumerable.Range(0, 3).Select(i => PullHarness.Model(200_000 + (i * 1000), i, 3)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            server.Serve($"big-{i + 1:D5}-of-00003.gguf", parts[i]);
        }

        server.Script(new Fault.Status(500), new Fault.DropAfter(1000));
        await using var pull = new PullHarness();

        var result = await pull.PullAsync(new Uri(server.BaseUri, "files/big-00001-of-00003.gguf").AbsoluteUri, [.. parts.Select(PullHarness.Sha256)]);

        Assert.That(result.Files!.Select(f => f.Name), Is.EqualTo(new[] { "big-00001-of-00003.gguf", "big-00002-of-00003.gguf", "big-00003-of-00003.gguf" }));
        Assert.That(result.Files!.Select(f => f.Sha256), Is.EqualTo(parts.Select(PullHarness.Sha256)));
        Assert.That(result.SizeBytes, Is.EqualTo(parts.Sum(p => (long)p.Length)));
        Assert.That(result.Gguf!.SplitCount, Is.EqualTo(3));
    }

    [Test]
    public async Task PullAsync_SplitGgufWithOneDigest_FailsNamingTheOption()
    {
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(new Uri(server.BaseUri, "files/big-00001-of-00003.gguf").AbsoluteUri, ContentSha));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.InvalidRequest));
        Assert.That(e.Message, Does.StartWith("--sha256: the source names 3 file(s) but 1 digest(s)"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task PullAsync_HuggingFaceSource_MapsToResolveUrlSendsTokenOnlyToTheHubAndReportsCommit()
    {
        server.Serve("m.gguf", Content);
        server.RequiredToken = "hf_secret";
        await using var pull = new PullHarness(o =>
        {
            o.HuggingFaceEndpoint = server.BaseUri;
            o.HuggingFaceToken = "hf_secret";
        });

        var result = await pull.PullAsync("hf://org/repo/m.gguf@v1.0", ContentSha);

        var requests = server.Requests.ToArray();
        Assert.That(requests.Select(r => r.Path), Is.EqualTo(new[] { "/org/repo/resolve/v1.0/m.gguf", "/cdn/m.gguf" }));
        Assert.That(requests[0].Authorization, Is.EqualTo("Bearer hf_secret"));
        Assert.That(requests[1].Authorization, Is.Null.Or.Empty, "the CDN is another origin: the token stays with the Hub");
        Assert.That(result.ResolvedRevision, Is.EqualTo(server.RepoCommit));
    }

    [Test]
    public async Task PullAsync_HuggingFaceSourceWithoutToken_FailsUnauthorizedWithHint()
    {
        server.Serve("m.gguf", Content);
        server.RequiredToken = "hf_secret";
        await using var pull = new PullHarness(o => o.HuggingFaceEndpoint = server.BaseUri);

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync("hf://org/repo/m.gguf"));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.Unauthorized));
        Assert.That(e.Message, Does.Contain("no token was sent; set HF_TOKEN or --token-file"));
    }

    [Test]
    public async Task PullAsync_FileSource_CopiesAndVerifies()
    {
        using var source = new TempDirectory();
        var path = source.File("local.gguf");
        File.WriteAllBytes(path, Content);
        await using var pull = new PullHarness();

        var result = await pull.PullAsync(new Uri(path).AbsoluteUri, ContentSha);

        Assert.That(File.ReadAllBytes(result.Path), Is.EqualTo(Content));
        Assert.That(result.Gguf!.Architecture, Is.EqualTo("llama"));
    }

    [Test]
    public async Task PullAsync_FileSourceMissing_FailsNotFound()
    {
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync("file:///nonexistent/x.gguf"));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.NotFound));
    }

    [Test]
    public async Task PullAsync_NotAGguf_FailsAsInvalidModelButKeepsTheVerifiedFile()
    {
        var bytes = "not a model"u8.ToArray();
        var uri = server.Serve("m.gguf", bytes);
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(uri.AbsoluteUri, PullHarness.Sha256(bytes)));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.InvalidModel));
        Assert.That(e.Message, Does.Contain("not a GGUF file"));
    }

    [TestCase("s3://bucket/m.gguf", "scheme 's3' is not supported")]
    [TestCase("hf://org/m.gguf", "is not hf://ORG/REPO/PATH[@REVISION]")]
    [TestCase("models/m.gguf", "is not an absolute URI")]
    public async Task PullAsync_BadSource_FailsNamingTheOption(string source, string message)
    {
        await using var pull = new PullHarness();

        var e = Assert.ThrowsAsync<PullException>(() => pull.PullAsync(source));

        Assert.That(e!.Failure, Is.EqualTo(PullFailure.InvalidRequest));
        Assert.That(e.Message, Does.StartWith("--source: ").And.Contain(message));
    }
}
