using System;

namespace Skyasset.Editor
{
    /// <summary>
    /// A failed CLI call. <see cref="Code"/> is the CLI's error code (docs/CLI_PROTOCOL.md: no_model,
    /// unknown_cloud, output_exists, ...) or one of the bridge's own: <c>executable_not_found</c>,
    /// <c>timeout</c>, <c>cancelled</c>, <c>bad_response</c>.
    /// </summary>
    internal sealed class SkyassetCliException : Exception
    {
        public const string ExecutableNotFound = "executable_not_found";
        public const string Timeout = "timeout";
        public const string Cancelled = "cancelled";
        public const string BadResponse = "bad_response";

        public SkyassetCliException(string code, string message, int exitCode, string stderr)
            : base(message)
        {
            Code = code;
            ExitCode = exitCode;
            Stderr = stderr ?? string.Empty;
        }

        public string Code { get; private set; }

        /// <summary>The process exit code, or -1 when it never ran or was stopped.</summary>
        public int ExitCode { get; private set; }

        /// <summary>What the process wrote to stderr (Python tracebacks land here).</summary>
        public string Stderr { get; private set; }
    }
}
