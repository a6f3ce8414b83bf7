namespace Skyasset.Editor
{
    /// <summary>What a finished (or stopped) process left behind.</summary>
    internal sealed class ProcessResult
    {
        public ProcessResult(int exitCode, string stdout, string stderr, bool timedOut, bool cancelled)
        {
            ExitCode = exitCode;
            Stdout = stdout ?? string.Empty;
            Stderr = stderr ?? string.Empty;
            TimedOut = timedOut;
            Cancelled = cancelled;
        }

        /// <summary>The exit code; -1 when the process was killed (timeout or cancel).</summary>
        public int ExitCode { get; private set; }
        public string Stdout { get; private set; }
        public string Stderr { get; private set; }
        public bool TimedOut { get; private set; }
        public bool Cancelled { get; private set; }
    }
}
