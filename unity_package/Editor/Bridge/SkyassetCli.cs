using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Skyasset.Editor
{
    /// <summary>
    /// The one gateway to the <c>skyasset</c> executable: builds argument lists, runs them through an
    /// <see cref="IProcessRunner"/> and parses the <c>--json</c> answer (docs/CLI_PROTOCOL.md).
    /// Every decision the CLI can make (validation, file names, layouts) stays in the CLI.
    /// </summary>
    internal sealed class SkyassetCli
    {
        readonly IProcessRunner m_Runner;
        readonly string m_Executable;
        readonly string m_ModelPath;
        readonly TimeSpan m_Timeout;

        /// <param name="runner">Runs processes (tests pass a fake).</param>
        /// <param name="executable">Path of the skyasset executable, or a bare name found on PATH.</param>
        /// <param name="modelPath">Model bundle folder for <c>--model</c>; null or empty = the CLI's default.</param>
        /// <param name="timeout">How long one call may run before it is stopped.</param>
        public SkyassetCli(IProcessRunner runner, string executable, string modelPath, TimeSpan timeout)
        {
            if (runner == null)
                throw new ArgumentNullException("runner");
            m_Runner = runner;
            m_Executable = executable;
            m_ModelPath = string.IsNullOrEmpty(modelPath) ? null : modelPath;
            m_Timeout = timeout;
        }

        public string Executable
        {
            get { return m_Executable; }
        }

        /// <summary>Runs <c>skyasset --version</c>; returns the version, e.g. "0.1.0".</summary>
        public async Task<string> GetVersionAsync(CancellationToken cancellation)
        {
            ProcessResult result = await RunAsync(new List<string> { "--version" }, cancellation).ConfigureAwait(false);
            return ResponseParser.ParseVersion(result, m_Timeout);
        }

        /// <summary>Runs <c>skyasset classes --json</c>.</summary>
        public async Task<ClassList> GetClassesAsync(CancellationToken cancellation)
        {
            List<string> arguments = WithModel(new List<string> { "classes" });
            arguments.Add("--json");
            ProcessResult result = await RunAsync(arguments, cancellation).ConfigureAwait(false);
            return ResponseParser.ParseClasses(ResponseParser.ParseAnswer(result, "classes", m_Timeout));
        }

        /// <summary>Runs <c>skyasset generate ... --json</c>.</summary>
        public async Task<GenerateResult> GenerateAsync(GenerateRequest request, CancellationToken cancellation)
        {
            List<string> arguments = GenerateArguments(request);
            ProcessResult result = await RunAsync(arguments, cancellation).ConfigureAwait(false);
            return ResponseParser.ParseGenerate(ResponseParser.ParseAnswer(result, "generate", m_Timeout));
        }

        /// <summary>The argument list for a generate request (one string per argument, unquoted).</summary>
        internal List<string> GenerateArguments(GenerateRequest request)
        {
            if (request == null)
                throw new ArgumentNullException("request");
            if (string.IsNullOrEmpty(request.OutputPath) == string.IsNullOrEmpty(request.OutputFolder))
                throw new ArgumentException("Set exactly one of GenerateRequest.OutputPath (a file) and " +
                    "OutputFolder (a folder; the CLI names the files).", "request");
            var arguments = new List<string> { "generate" };
            if (!string.IsNullOrEmpty(request.Cloud))
            {
                arguments.Add("--cloud");
                arguments.Add(request.Cloud);
            }
            arguments.Add("--seed");
            arguments.Add(request.Seed.ToString(CultureInfo.InvariantCulture));
            arguments.Add("--psi");
            arguments.Add(request.Psi.ToString("R", CultureInfo.InvariantCulture));
            arguments.Add("--layout");
            arguments.Add(request.Layout);
            arguments.Add("--size");
            arguments.Add(request.Size.ToString(CultureInfo.InvariantCulture));
            if (request.Hdr)
                arguments.Add("--hdr");
            if (!string.IsNullOrEmpty(request.Upscale) && request.Upscale != "none")
            {
                arguments.Add("--upscale");
                arguments.Add(request.Upscale);
            }
            if (request.Force)
                arguments.Add("--force");
            bool toFolder = string.IsNullOrEmpty(request.OutputPath);
            arguments.Add(toFolder ? "--out-dir" : "--out");
            arguments.Add(toFolder ? request.OutputFolder : request.OutputPath);
            WithModel(arguments);
            arguments.Add("--json");
            return arguments;
        }

        List<string> WithModel(List<string> arguments)
        {
            if (m_ModelPath != null)
            {
                arguments.Add("--model");
                arguments.Add(m_ModelPath);
            }
            return arguments;
        }

        async Task<ProcessResult> RunAsync(List<string> arguments, CancellationToken cancellation)
        {
            if (string.IsNullOrEmpty(m_Executable))
                throw new SkyassetCliException(SkyassetCliException.ExecutableNotFound,
                    "No skyasset executable is configured and none was found on PATH. Install it from your " +
                    "skyasset clone (pip install -e .) and set its path in Preferences > skyasset.", -1, string.Empty);
            try
            {
                return await m_Runner.RunAsync(m_Executable, arguments, m_Timeout, cancellation).ConfigureAwait(false);
            }
            catch (ExecutableNotFoundException error)
            {
                throw new SkyassetCliException(SkyassetCliException.ExecutableNotFound, string.Format(
                    CultureInfo.InvariantCulture, "Could not run '{0}' ({1}). Install skyasset from your clone " +
                    "(pip install -e .) and set the path of its executable in Preferences > skyasset.", m_Executable,
                    error.InnerException != null ? error.InnerException.Message : "not found"), -1, string.Empty);
            }
        }
    }
}
