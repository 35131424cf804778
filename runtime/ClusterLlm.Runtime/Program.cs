using System.CommandLine;

var root = new RootCommand("clusterllm-runtime: serve, pull, inspect and generate GGUF models for ClusterLlm pools.");
root.Subcommands.Add(ClusterLlm.Runtime.TestModel.TestModelCommand.Create());
return await root.Parse(args).InvokeAsync();
