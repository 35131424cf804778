using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ClusterLlm.Runtime.Pull;

/// <summary><c>clusterllm-runtime pull</c>: fetches and verifies a model, run by the operator as a Job.</summary>
internal static partial class PullCommand
{
    public const string Description = """
        Fetch a model into --dest and verify it: resumable, retried, checksummed, never partial at the final path.
        Sources: https://, http://, hf://ORG/REPO/PATH[@REVISION] (HF_ENDPOINT, HF_TOKEN or --token-file), file://;
        a split GGUF (NAME-00001-of-0000N.gguf) pulls every part.

        Exit codes:
          0   verified (downloaded, or already present and verified)
          10  not found (HTTP 404/410, missing file)                permanent
          11  unauthorized (HTTP 401/403)                           permanent
          12  checksum mismatch (the download is discarded)         permanent
          13  not enough free space on the destination volume       permanent
          14  the file is not a valid GGUF model                    permanent
          15  invalid request (bad URI, argument or HTTP answer)    permanent
          20  network failure (refused, reset, closed early)        retryable
          21  read timeout                                          retryable
          22  server error (HTTP 5xx, 408)                          retryable
          23  rate limited (HTTP 429)                               retryable
          24  local I/O error                                       retryable
          25  cancelled (SIGTERM); the partial file is kept         retryable
          1   unexpected internal error                             retryable
        Retryable failures resume from the partial file on the next run.
        """;

    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "URI of the model (https, http, hf, file).", Required = true };
        var dest = new Option<DirectoryInfo>("--dest") { Description = "Folder to store the model in.", Required = true };
        var sha256 = new Option<string?>("--sha256") { Description = "Expected sha256 (64 hex characters); for a split model, one per part, comma-separated in part order." };
        var terminationLog = new Option<FileInfo?>("--termination-log") { Description = "File to write the JSON result or error to (Kubernetes: /dev/termination-log)." };
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "File holding the Hugging Face token (default: HF_TOKEN, then HF_TOKEN_PATH, then $HF_HOME/token)." };
        var maxRetries = new Option<int>("--max-retries") { Description = "Retries per file after transient failures.", DefaultValueFactory = _ => new PullOptions().MaxRetries };
        var readTimeout = new Option<double>("--read-timeout") { Description = "Seconds to wait for response headers or body bytes before retrying.", DefaultValueFactory = _ => new PullOptions().ReadTimeout.TotalSeconds };
        var logFormat = new Option<string>("--log-format") { Description = "json (default when stderr is not a terminal) or text." };
        logFormat.AcceptOnlyFromAmong("json", "text");

        var command = new Command("pull", Description) { source, dest, sha256, terminationLog, tokenFile, maxRetries, readTimeout, logFormat };
        command.SetAction(async (result, cancellationToken) =>
        {
            var json = (result.GetValue(logFormat) ?? (Console.IsErrorRedirected ? "json" : "text")) == "json";
            var request = new PullRequest(
                result.GetRequiredValue(source),
                result.GetRequiredValue(dest).FullName,
                result.GetValue(sha256)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
            return await RunAsync(request, result.GetValue(terminationLog)?.FullName, json, options =>
            {
                options.MaxRetries = result.GetValue(maxRetries);
                options.ReadTimeout = TimeSpan.FromSeconds(result.GetValue(readTimeout));
                options.HuggingFaceToken = HuggingFaceUri.FindToken(result.GetValue(tokenFile)?.FullName, Environment.GetEnvironmentVariable);
                if (Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } endpoint)
                {
                    options.HuggingFaceEndpoint = new Uri(endpoint);
                }
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(PullRequest request, string? terminationLog, bool jsonLogs, Action<PullOptions> configure, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
            if (jsonLogs)
            {
                logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
            }
            else
            {
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
            }

            logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        services.AddModelPull(configure);

        var provider = services.BuildServiceProvider();
        await using (provider.ConfigureAwait(false))
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterLlm.Runtime.Pull");
            try
            {
                var puller = provider.GetRequiredService<ModelPuller>();
                var result = await puller.PullAsync(request, cancellationToken).ConfigureAwait(false);
                var message = TerminationMessage.For(result);
                WriteTerminationLog(terminationLog, message, logger);
                Console.Out.WriteLine(message);
                return 0;
            }
            catch (PullException e)
            {
                return Fail(e, terminationLog, logger);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(new PullException(PullFailure.Cancelled, "the pull was cancelled; the partial file is kept for the next attempt", e), terminationLog, logger);
            }
            catch (Exception e) when (e is ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                return Fail(new PullException(PullFailure.InvalidRequest, e.Message, e), terminationLog, logger);
            }
            catch (Exception e)
            {
                Log.Unexpected(logger, e);
                WriteTerminationLog(terminationLog, TerminationMessage.For(new PullException(PullFailure.LocalIo, "internal error: " + e.Message, e)), logger);
                return 1;
            }
        }
    }

    private static int Fail(PullException e, string? terminationLog, ILogger logger)
    {
        Log.Failed(logger, e.Failure.ToString(), e.Failure.ExitCode(), e.IsRetryable, e.Message);
        WriteTerminationLog(terminationLog, TerminationMessage.For(e), logger);
        return e.Failure.ExitCode();
    }

    private static void WriteTerminationLog(string? path, string message, ILogger logger)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.WriteAllText(path, message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.TerminationLogFailed(logger, path, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Pull failed ({Reason}, exit code {ExitCode}, retryable: {Retryable}): {Message}", EventName = "PullFailed")]
        public static partial void Failed(ILogger logger, string reason, int exitCode, bool retryable, string message);

        [LoggerMessage(2, LogLevel.Critical, "Pull failed with an unexpected error", EventName = "PullCrashed")]
        public static partial void Unexpected(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Could not write the termination log {Path}", EventName = "TerminationLogFailed")]
        public static partial void TerminationLogFailed(ILogger logger, string path, Exception exception);
    }
}
