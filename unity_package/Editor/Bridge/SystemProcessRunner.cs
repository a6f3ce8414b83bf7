using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Skyasset.Editor
{
    /// <summary>
    /// Runs a program with <see cref="Process"/>, output redirected and read as UTF-8, without blocking the
    /// calling thread: the task completes on the thread pool, and an <c>await</c> in editor code resumes on
    /// the main thread (Unity's synchronization context).
    /// </summary>
    internal sealed class SystemProcessRunner : IProcessRunner
    {
        public Task<ProcessResult> RunAsync(string executable, IList<string> arguments, TimeSpan timeout,
            CancellationToken cancellation)
        {
            var info = new ProcessStartInfo
            {
                FileName = executable,
                Arguments = CommandLine.Join(arguments, CommandLine.CurrentStyle),
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            // Python writes its pipes in the locale's code page on Windows; the protocol is UTF-8.
            info.EnvironmentVariables["PYTHONIOENCODING"] = "utf-8";
            info.EnvironmentVariables["PYTHONUTF8"] = "1";

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>();
            process.Exited += (sender, args) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (Win32Exception error)
            {
                process.Dispose();
                throw new ExecutableNotFoundException(executable, error);
            }
            catch (InvalidOperationException error)
            {
                process.Dispose();
                throw new ExecutableNotFoundException(executable, error);
            }
            return WaitAsync(process, exited.Task, timeout, cancellation);
        }

        static async Task<ProcessResult> WaitAsync(Process process, Task exited, TimeSpan timeout,
            CancellationToken cancellation)
        {
            using (process)
            {
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                bool timedOut = false;
                bool cancelled = false;
                using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
                {
                    Task delay = Task.Delay(timeout, stop.Token);
                    // HasExited covers a process that ended before the Exited handler was attached.
                    Task first = process.HasExited ? exited : await Task.WhenAny(exited, delay).ConfigureAwait(false);
                    if (first != exited)
                    {
                        cancelled = cancellation.IsCancellationRequested;
                        timedOut = !cancelled;
                        Kill(process);
                    }
                    stop.Cancel();
                }
                string output = await stdout.ConfigureAwait(false);
                string errors = await stderr.ConfigureAwait(false);
                if (!timedOut && !cancelled)
                    process.WaitForExit(); // flushes the exit code after the streams closed
                int code = timedOut || cancelled ? -1 : process.ExitCode;
                return new ProcessResult(code, output, errors, timedOut, cancelled);
            }
        }

        static void Kill(Process process)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // it exited between the check and the kill
            }
            catch (Win32Exception)
            {
                // already gone, or not ours to kill any more
            }
        }
    }
}
