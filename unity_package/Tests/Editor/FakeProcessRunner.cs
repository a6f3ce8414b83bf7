using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Skyasset.Editor.Tests
{
    /// <summary>Answers every run with one canned result (or a start failure) and records what was asked.</summary>
    internal sealed class FakeProcessRunner : IProcessRunner
    {
        readonly ProcessResult m_Result;
        readonly bool m_NotFound;

        FakeProcessRunner(ProcessResult result, bool notFound)
        {
            m_Result = result;
            m_NotFound = notFound;
            Calls = new List<IList<string>>();
        }

        public static FakeProcessRunner Answering(int exitCode, string stdout, string stderr = "")
        {
            return new FakeProcessRunner(new ProcessResult(exitCode, stdout, stderr, false, false), false);
        }

        public static FakeProcessRunner Stopped(bool timedOut)
        {
            return new FakeProcessRunner(new ProcessResult(-1, string.Empty, "partial", timedOut, !timedOut), false);
        }

        public static FakeProcessRunner Missing()
        {
            return new FakeProcessRunner(null, true);
        }

        public List<IList<string>> Calls { get; private set; }
        public string LastExecutable { get; private set; }
        public TimeSpan LastTimeout { get; private set; }

        public Task<ProcessResult> RunAsync(string executable, IList<string> arguments, TimeSpan timeout,
            CancellationToken cancellation)
        {
            LastExecutable = executable;
            LastTimeout = timeout;
            Calls.Add(new List<string>(arguments));
            if (m_NotFound)
                throw new ExecutableNotFoundException(executable, new System.IO.FileNotFoundException("No such file"));
            return Task.FromResult(m_Result);
        }
    }
}
