using System;
using System.Collections.Generic;
using System.IO;

namespace Skyasset.Editor
{
    /// <summary>
    /// Finds the skyasset executable: each folder on PATH, then the places pip puts console scripts when the
    /// editor was started from a desktop launcher that does not see the shell's PATH.
    /// </summary>
    internal static class ExecutableLocator
    {
        /// <summary>The first existing candidate, or null.</summary>
        /// <param name="pathVariable">The PATH value.</param>
        /// <param name="home">The user's home folder (for ~/.local/bin), or null.</param>
        /// <param name="windows">Use Windows names (skyasset.exe) and the ';' separator.</param>
        /// <param name="fileExists">File test (tests pass a fake file system).</param>
        public static string Find(string pathVariable, string home, bool windows, Func<string, bool> fileExists)
        {
            foreach (string candidate in Candidates(pathVariable, home, windows))
            {
                if (fileExists(candidate))
                    return candidate;
            }
            return null;
        }

        /// <summary>Find with the current process's PATH, home folder and file system.</summary>
        public static string FindOnThisMachine()
        {
            bool windows = Environment.OSVersion.Platform == PlatformID.Win32NT;
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Find(Environment.GetEnvironmentVariable("PATH"), home, windows, File.Exists);
        }

        internal static List<string> Candidates(string pathVariable, string home, bool windows)
        {
            var folders = new List<string>();
            char separator = windows ? ';' : ':';
            foreach (string entry in (pathVariable ?? string.Empty).Split(separator))
            {
                string folder = entry.Trim().Trim('"');
                if (folder.Length > 0)
                    folders.Add(folder);
            }
            if (!windows)
            {
                if (!string.IsNullOrEmpty(home))
                    folders.Add(Path.Combine(Path.Combine(home, ".local"), "bin"));
                folders.Add("/opt/homebrew/bin");
                folders.Add("/usr/local/bin");
            }
            // Only the real executable: a .cmd/.bat wrapper would run through cmd.exe, whose quoting rules differ.
            string[] names = windows ? new[] { "skyasset.exe" } : new[] { "skyasset" };
            var candidates = new List<string>();
            foreach (string folder in folders)
            {
                foreach (string name in names)
                {
                    string candidate = Path.Combine(folder, name);
                    if (!candidates.Contains(candidate))
                        candidates.Add(candidate);
                }
            }
            return candidates;
        }
    }
}
