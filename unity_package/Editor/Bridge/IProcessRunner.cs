using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Skyasset.Editor
{
    /// <summary>
    /// Runs one external program to completion. The editor uses <see cref="SystemProcessRunner"/>;
    /// tests swap in a fake that answers with canned output.
    /// </summary>
    internal interface IProcessRunner
    {
        /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/> (one string each,
        /// quoting is the runner's job) and completes when it exits, times out or is cancelled.</summary>
        /// <exception cref="ExecutableNotFoundException">The program could not be started.</exception>
        Task<ProcessResult> RunAsync(string executable, IList<string> arguments, TimeSpan timeout,
            CancellationToken cancellation);
    }
}
