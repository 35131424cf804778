using System.CommandLine;

var root = new RootCommand("clusterllm-runtime: serve, pull, inspect and generate GGUF models for ClusterLlm pools.");
root.Subcommands.Add(ClusterLlm.Runtime.TestModel.TestModelCommand.Create());
root.Subcommands.Add(ClusterLlm.Runtime.Serving.ServeCommand.Create());
root.Subcommands.Add(ClusterLlm.Runtime.Pull.PullCommand.Create());
root.Subcommands.Add(ClusterLlm.Runtime.Inspect.InspectCommand.Create());
// No forced exit on SIGTERM: serve drains for up to --drain-timeout and exits 0 on its own.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
