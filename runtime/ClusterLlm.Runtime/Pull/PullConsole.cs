namespace ClusterLlm.Runtime.Pull;

/// <summary>Where the live progress bar goes: stderr when it is a terminal, nowhere otherwise (logs carry progress then).</summary>
internal sealed class PullConsole(TextWriter? progressBar)
{
    public TextWriter? ProgressBar => progressBar;

    public static PullConsole FromEnvironment() => new(Console.IsErrorRedirected ? null : Console.Error);
}
