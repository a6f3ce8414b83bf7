using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>
    /// One thumbnail per cloud type: the model's flat image for seed 0, generated once through the CLI and
    /// cached as PNG under Library/skyasset/previews/&lt;model key&gt;/ (outside Assets/, never imported).
    /// </summary>
    internal sealed class PreviewCache
    {
        public const long PreviewSeed = 0;
        public const float PreviewPsi = 0.5f;
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

        public string PathFor(string code)
        {
            return Path.Combine(m_Folder, AssetPaths.SkyFileStem(code, PreviewSeed) + ".png");
        }

        /// <summary>The cached thumbnail, or null when it has not been generated yet.</summary>
        public Texture2D Get(string code)
        {
            Texture2D texture;
            if (m_Loaded.TryGetValue(code, out texture) && texture != null)
                return texture;
            string path = PathFor(code);
            if (!File.Exists(path))
                return null;
            texture = new Texture2D(2, 2) { hideFlags = HideFlags.HideAndDontSave };
            if (!texture.LoadImage(File.ReadAllBytes(path)))
                return null;
            m_Loaded[code] = texture;
            return texture;
        }

        /// <summary>Generates the thumbnail for <paramref name="code"/> (flat layout, overwriting a partial file).</summary>
        public Task<GenerateResult> GenerateAsync(SkyassetCli cli, string code, CancellationToken cancellation)
        {
            Directory.CreateDirectory(m_Folder);
            var request = new GenerateRequest
            {
                Cloud = code,
                Seed = PreviewSeed,
                Psi = PreviewPsi,
                Layout = "flat",
                Force = true,
                OutputPath = PathFor(code),
            };
            return cli.GenerateAsync(request, cancellation);
        }

        /// <summary>Forgets every thumbnail of this model (they are generated again on demand).</summary>
        public void Clear()
        {
            foreach (Texture2D texture in m_Loaded.Values)
            {
                if (texture != null)
                    Object.DestroyImmediate(texture);
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
