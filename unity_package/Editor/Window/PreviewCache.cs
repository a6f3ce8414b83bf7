using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>
    /// Thumbnails of the chosen sky before it is generated in full: the model's flat image for a cloud type,
    /// seed and psi, generated through the CLI (a fraction of a second) and cached as PNG under
    /// Library/skyasset/previews/&lt;model key&gt;/ (outside Assets/, never imported).
    /// </summary>
    internal sealed class PreviewCache
    {
        readonly string m_Folder;
        readonly Dictionary<string, Texture2D> m_Loaded = new Dictionary<string, Texture2D>();

        /// <param name="projectRoot">The project folder.</param>
        /// <param name="modelKey">Anything that identifies the model (its path setting); a different model gets
        /// its own folder.</param>
        public PreviewCache(string projectRoot, string modelKey)
        {
            m_Folder = Path.Combine(Path.Combine(Path.Combine(projectRoot, "Library"), "skyasset"),
                Path.Combine("previews", Fnv1a(modelKey ?? string.Empty)));
        }

        /// <summary>The thumbnail file of one sky: a different cloud, seed or psi (in hundredths) is another.</summary>
        public string PathFor(string code, long seed, float psi)
        {
            int hundredths = (int)Math.Round(psi * 100f);
            return Path.Combine(m_Folder, AssetPaths.SkyFileStem(code, seed) + "_psi" +
                hundredths.ToString("000", CultureInfo.InvariantCulture) + ".png");
        }

        /// <summary>The cached thumbnail, or null when it has not been generated yet.</summary>
        public Texture2D Get(string code, long seed, float psi)
        {
            string path = PathFor(code, seed, psi);
            Texture2D texture;
            if (m_Loaded.TryGetValue(path, out texture) && texture != null)
                return texture;
            if (!File.Exists(path))
                return null;
            texture = new Texture2D(2, 2) { hideFlags = HideFlags.HideAndDontSave };
            if (!texture.LoadImage(File.ReadAllBytes(path)))
                return null;
            m_Loaded[path] = texture;
            return texture;
        }

        /// <summary>The request that makes the thumbnail: the flat generator image, nothing assembled.</summary>
        public GenerateRequest RequestFor(string code, long seed, float psi)
        {
            return new GenerateRequest
            {
                Cloud = code,
                Seed = seed,
                Psi = psi,
                Layout = "flat",
                Force = true,
                OutputPath = PathFor(code, seed, psi),
            };
        }

        /// <summary>Generates the thumbnail (overwriting a partial file).</summary>
        public Task<GenerateResult> GenerateAsync(SkyassetCli cli, string code, long seed, float psi,
            CancellationToken cancellation)
        {
            Directory.CreateDirectory(m_Folder);
            return cli.GenerateAsync(RequestFor(code, seed, psi), cancellation);
        }

        /// <summary>Forgets every thumbnail of this model (they are generated again on demand).</summary>
        public void Clear()
        {
            foreach (Texture2D texture in m_Loaded.Values)
            {
                if (texture != null)
                    UnityEngine.Object.DestroyImmediate(texture);
            }
            m_Loaded.Clear();
            if (Directory.Exists(m_Folder))
                Directory.Delete(m_Folder, true);
        }

        // A stable short hash (string.GetHashCode differs between runtimes and runs).
        static string Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (byte b in Encoding.UTF8.GetBytes(text))
            {
                hash ^= b;
                hash *= 16777619;
            }
            return hash.ToString("x8");
        }
    }
}
