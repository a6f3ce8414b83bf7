using System;

namespace Skyasset.Editor
{
    /// <summary>The configured executable does not exist or the OS refused to start it.</summary>
    internal sealed class ExecutableNotFoundException : Exception
    {
        public ExecutableNotFoundException(string executable, Exception inner)
            : base("Could not start '" + executable + "': " + (inner != null ? inner.Message : "not found"), inner)
        {
            Executable = executable;
        }

        public string Executable { get; private set; }
    }
}
