using System;
using System.Collections.Generic;

namespace Skyasset.Editor
{
    /// <summary>How a texture is imported for one layout.</summary>
    internal enum TextureKind
    {
        /// <summary>A cube built from a latitude-longitude image.</summary>
        CubeFromLatLong,

        /// <summary>A cube cut from a cross (Unity detects the 4x3 / 3x4 / 6x1 / 1x6 arrangement).</summary>
        CubeFromCross,

        /// <summary>A 2D panorama: wraps around horizontally, clamps at the poles.</summary>
        Panorama2D,

        /// <summary>One cube face: clamped on every edge so neighbouring faces meet without seams.</summary>
        Face2D,
    }

    /// <summary>
    /// Everything the importer decides per layout, kept free of Unity types so it can be unit-tested:
    /// the CLI layout, the file roles to import, how each is imported, and the skybox shader and its slots.
    /// </summary>
    internal sealed class LayoutPlan
    {
        LayoutPlan(string cliLayout, TextureKind kind, string shader, Dictionary<string, string> slots)
        {
            CliLayout = cliLayout;
            Kind = kind;
            Shader = shader;
            Slots = slots;
        }

        /// <summary>The <c>--layout</c> value.</summary>
        public string CliLayout { get; private set; }
        public TextureKind Kind { get; private set; }

        /// <summary>Built-in render pipeline / URP skybox shader name.</summary>
        public string Shader { get; private set; }

        /// <summary>File role -> material texture property, in import order.</summary>
        public Dictionary<string, string> Slots { get; private set; }

        public bool IsCube
        {
            get { return Kind == TextureKind.CubeFromLatLong || Kind == TextureKind.CubeFromCross; }
        }

        public static LayoutPlan For(SkyLayout layout)
        {
            switch (layout)
            {
                case SkyLayout.CubemapFromEquirect:
                    return new LayoutPlan("equirect", TextureKind.CubeFromLatLong, "Skybox/Cubemap",
                        new Dictionary<string, string> { { "equirect", "_Tex" } });
                case SkyLayout.Panoramic:
                    return new LayoutPlan("equirect", TextureKind.Panorama2D, "Skybox/Panoramic",
                        new Dictionary<string, string> { { "equirect", "_MainTex" } });
                case SkyLayout.CubemapFromCross:
                    return new LayoutPlan("cross-h", TextureKind.CubeFromCross, "Skybox/Cubemap",
                        new Dictionary<string, string> { { "cross-h", "_Tex" } });
                case SkyLayout.SixSided:
                    // The CLI names and orients faces for this shader (skyasset/assets/cubemap.py).
                    return new LayoutPlan("faces", TextureKind.Face2D, "Skybox/6 Sided",
                        new Dictionary<string, string>
                        {
                            { "face:front", "_FrontTex" }, { "face:back", "_BackTex" },
                            { "face:left", "_LeftTex" }, { "face:right", "_RightTex" },
                            { "face:up", "_UpTex" }, { "face:down", "_DownTex" },
                        });
                default:
                    throw new ArgumentOutOfRangeException("layout", layout, "Unknown layout.");
            }
        }

        /// <summary>The file to import per role: HDR (EXR, else Radiance HDR) when asked for, else PNG.</summary>
        /// <exception cref="SkyassetCliException">A role this layout needs is missing from the answer.</exception>
        public Dictionary<string, OutputFile> PickFiles(GenerateResult result, bool preferHdr)
        {
            string[] formats = preferHdr ? new[] { "exr", "hdr", "png" } : new[] { "png" };
            var picked = new Dictionary<string, OutputFile>();
            foreach (string role in Slots.Keys)
            {
                OutputFile file = result.FindFile(role, formats);
                if (file == null)
                    throw new SkyassetCliException(SkyassetCliException.BadResponse, string.Format(
                        "skyasset wrote no '{0}' image for layout '{1}' (formats tried: {2}).", role, CliLayout,
                        string.Join(", ", formats)), 0, string.Empty);
                picked[role] = file;
            }
            return picked;
        }

        /// <summary>Every file of the answer that the material does not use (the other image formats of a picked
        /// role, and the JSON sidecar): kept beside the sky, out of the AssetDatabase.</summary>
        public List<OutputFile> UnusedFiles(GenerateResult result, Dictionary<string, OutputFile> picked)
        {
            var used = new HashSet<string>();
            foreach (OutputFile file in picked.Values)
                used.Add(file.Path);
            var unused = new List<OutputFile>();
            foreach (OutputFile file in result.Files)
            {
                if (!used.Contains(file.Path))
                    unused.Add(file);
            }
            return unused;
        }

        /// <summary>The importer settings for <paramref name="file"/>, decided before its first import.</summary>
        public TextureSettings SettingsFor(OutputFile file)
        {
            return new TextureSettings(
                IsCube,
                Kind == TextureKind.CubeFromLatLong ? CubemapSource.LatLong
                    : Kind == TextureKind.CubeFromCross ? CubemapSource.Cross : CubemapSource.None,
                Mipmaps,
                Kind == TextureKind.Panorama2D,
                MaxTextureSize(file.Width, file.Height));
        }

        /// <summary>Mipmaps: on for cubes (reflections and ambient light sample blurred mips), off for 2D sky
        /// textures, where the mip chosen from screen derivatives shows a line at the panorama's wrap and at
        /// face edges.</summary>
        public bool Mipmaps
        {
            get { return IsCube; }
        }

        /// <summary>Importer max size: the smallest power of two, 32..16384, that holds the whole image.</summary>
        public static int MaxTextureSize(int width, int height)
        {
            int needed = Math.Max(width, height);
            int size = 32;
            while (size < needed && size < 16384)
                size *= 2;
            return size;
        }
    }
}
