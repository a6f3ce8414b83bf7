using System;
using System.IO;

namespace Skyasset.Editor
{
    /// <summary>Conversions between absolute paths and project paths ("Assets/...").</summary>
    internal static class AssetPaths
    {
        /// <summary>"Assets/Skies" -> "/abs/project/Assets/Skies" (forward slashes).</summary>
        public static string ToAbsolute(string projectRoot, string assetPath)
        {
            return Normalize(Path.Combine(projectRoot, assetPath));
        }

        /// <summary>"/abs/project/Assets/Skies/a.png" -> "Assets/Skies/a.png"; null when outside Assets/.</summary>
        public static string ToAssetPath(string projectRoot, string absolutePath)
        {
            string root = Normalize(Path.GetFullPath(projectRoot)).TrimEnd('/') + "/";
            string full = Normalize(Path.GetFullPath(absolutePath));
            StringComparison comparison = Environment.OSVersion.Platform == PlatformID.Win32NT
                ? StringComparison.OrdinalIgnoreCase
                : StringComparison.Ordinal;
            if (!full.StartsWith(root, comparison))
                return null;
            string relative = full.Substring(root.Length);
            return IsUnderAssets(relative) ? relative : null;
        }

        /// <summary>True for "Assets" and "Assets/..." (the folders the window may write to).</summary>
        public static bool IsUnderAssets(string assetPath)
        {
            if (string.IsNullOrEmpty(assetPath))
                return false;
            string path = Normalize(assetPath).TrimEnd('/');
            if (path.Contains("/../") || path.EndsWith("/..", StringComparison.Ordinal))
                return false;
            return path == "Assets" || path.StartsWith("Assets/", StringComparison.Ordinal);
        }

        /// <summary>A file name for cloud + seed, e.g. "cumulus_7": ASCII letters, digits, '-' and '_' only.</summary>
        public static string SkyFileStem(string cloudName, long seed)
        {
            var stem = new System.Text.StringBuilder();
            foreach (char c in cloudName ?? "sky")
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                stem.Append(ok ? c : '_');
            }
            if (stem.Length == 0)
                stem.Append("sky");
            return stem + "_" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Where a sky's files that no material uses are kept: "/a/Assets/Skies/cumulus_7.json" ->
        /// "/a/Assets/Skies/cumulus_7~". Unity imports nothing in a folder whose name ends with '~', so they
        /// cost no import time and no unused texture assets, yet stay next to the sky they belong to.
        /// </summary>
        public static string HiddenFolder(string namingFile)
        {
            string folder = Path.GetDirectoryName(namingFile) ?? string.Empty;
            return Normalize(Path.Combine(folder, Path.GetFileNameWithoutExtension(namingFile) + "~"));
        }

        static string Normalize(string path)
        {
            return path.Replace('\\', '/');
        }
    }
}
