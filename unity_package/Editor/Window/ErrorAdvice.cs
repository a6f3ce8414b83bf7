namespace Skyasset.Editor
{
    /// <summary>What the window offers for a failed call, by error code (the message is always the CLI's).</summary>
    internal enum ErrorRemedy
    {
        /// <summary>Show the message.</summary>
        None,

        /// <summary>Offer to open Preferences > skyasset (executable, model, timeout).</summary>
        OpenPreferences,

        /// <summary>Offer to run again with --force.</summary>
        Overwrite,

        /// <summary>Say nothing: the user stopped it.</summary>
        Silent,
    }

    internal static class ErrorAdvice
    {
        public static ErrorRemedy For(string code)
        {
            if (code == SkyassetCliException.Cancelled)
                return ErrorRemedy.Silent;
            if (code == "output_exists")
                return ErrorRemedy.Overwrite;
            if (code == SkyassetCliException.ExecutableNotFound || code == SkyassetCliException.Timeout ||
                code == "no_model" || (code != null && code.StartsWith("bundle_", System.StringComparison.Ordinal)))
                return ErrorRemedy.OpenPreferences;
            return ErrorRemedy.None;
        }

        /// <summary>The dialog title for a code.</summary>
        public static string Title(string code)
        {
            switch (code)
            {
                case SkyassetCliException.ExecutableNotFound: return "skyasset not found";
                case SkyassetCliException.Timeout: return "skyasset timed out";
                case SkyassetCliException.BadResponse: return "Unexpected answer from skyasset";
                case "no_model": return "No sky model installed";
                case "output_exists": return "Sky already exists";
                case "invalid_argument":
                case "unknown_cloud":
                    return "Invalid settings";
                default:
                    return code != null && code.StartsWith("bundle_", System.StringComparison.Ordinal)
                        ? "Sky model bundle problem"
                        : "skyasset failed (" + code + ")";
            }
        }
    }
}
