namespace Grpo.Client;

/// <summary>The process exit codes of <c>grpo</c>, so scripts can tell a bad command line from a failed run.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int InvalidArguments = 2;
    public const int TorchUnavailable = 3;

    /// <summary>The cluster database or its silos cannot be reached (also when the connection is lost for good mid-command), or the database lacks the Orleans schema.</summary>
    public const int ClusterUnavailable = 4;

    /// <summary>
    /// The client stopped for a reason of its own (an unexpected answer, a file it could not write); whatever run it
    /// followed is not affected by that.
    /// </summary>
    public const int ClientFailed = 5;

    /// <summary>The shell's code for a process ended by SIGINT (128 + 2).</summary>
    public const int Interrupted = 130;
}
