using System.CommandLine;

var root = new RootCommand("clusterllm-runtime: serve, pull, inspect and generate GGUF models for ClusterLlm pools.");
root.Subcommands.Add(ClusterLlm.Runtime.TestModel.TestModelCommand.Create());
root.Subcommands.Add(ClusterLlm.Runtime.Pull.PullCommand.Create());
root.Subcommands.Add(ClusterLlm.Runtime.Inspect.InspectCommand.Create());
return await root.Parse(args).InvokeAsync();
