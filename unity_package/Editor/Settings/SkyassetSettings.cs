using System;
using UnityEditor;

namespace Skyasset.Editor
{
    /// <summary>
    /// Per-user settings (EditorPrefs: they name files on this machine, so they are not shared through the
    /// project): the executable, an optional model bundle, and the time one CLI call may take.
    /// </summary>
    internal static class SkyassetSettings
    {
        const string k_ExecutableKey = "Skyasset.ExecutablePath";
        const string k_ModelKey = "Skyasset.ModelPath";
        const string k_TimeoutKey = "Skyasset.TimeoutSeconds";
        public const int DefaultTimeoutSeconds = 600;

        /// <summary>The configured path; empty means "auto-detect on PATH".</summary>
        public static string ExecutablePath
        {
            get { return EditorPrefs.GetString(k_ExecutableKey, string.Empty); }
            set { EditorPrefs.SetString(k_ExecutableKey, value ?? string.Empty); }
        }

        /// <summary>Model bundle folder passed as --model; empty = the CLI's default (SKYASSET_MODEL or bundled).</summary>
        public static string ModelPath
        {
            get { return EditorPrefs.GetString(k_ModelKey, string.Empty); }
            set { EditorPrefs.SetString(k_ModelKey, value ?? string.Empty); }
        }

        public static int TimeoutSeconds
        {
            get { return Math.Max(5, EditorPrefs.GetInt(k_TimeoutKey, DefaultTimeoutSeconds)); }
            set { EditorPrefs.SetInt(k_TimeoutKey, Math.Max(5, value)); }
        }

        /// <summary>The configured executable, else the one found on PATH, else null.</summary>
        public static string ResolveExecutable()
        {
            string configured = ExecutablePath;
            return string.IsNullOrEmpty(configured) ? ExecutableLocator.FindOnThisMachine() : configured;
        }

        /// <summary>A bridge over the real process runner with the current settings.</summary>
        public static SkyassetCli CreateCli()
        {
            return new SkyassetCli(new SystemProcessRunner(), ResolveExecutable(), ModelPath,
                TimeSpan.FromSeconds(TimeoutSeconds));
        }
    }
}
