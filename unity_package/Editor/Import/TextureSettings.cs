using System.Collections.Generic;

namespace Skyasset.Editor
{
    /// <summary>How a cube texture is built from the image.</summary>
    internal enum CubemapSource
    {
        /// <summary>Not a cube.</summary>
        None,

        /// <summary>From a latitude-longitude (equirect) image.</summary>
        LatLong,

        /// <summary>Cut from a cross.</summary>
        Cross,
    }

    /// <summary>
    /// Importer settings of one generated texture, free of Unity types so they can be unit-tested. They are
    /// registered before the file's first import and applied by <see cref="SkyTexturePostprocessor"/> while
    /// Unity imports it, so each texture is imported once, with the right settings.
    /// </summary>
    internal sealed class TextureSettings
    {
        static readonly Dictionary<string, TextureSettings> Pending = new Dictionary<string, TextureSettings>();

        public TextureSettings(bool cube, CubemapSource cubemapSource, bool mipmaps, bool wrapAround, int maxSize)
        {
            Cube = cube;
            CubemapSource = cubemapSource;
            Mipmaps = mipmaps;
            WrapAround = wrapAround;
            MaxSize = maxSize;
        }

        public bool Cube { get; private set; }
        public CubemapSource CubemapSource { get; private set; }
        public bool Mipmaps { get; private set; }

        /// <summary>Repeat horizontally (a 2D panorama's wrap); everything else clamps.</summary>
        public bool WrapAround { get; private set; }
        public int MaxSize { get; private set; }

        /// <summary>Settings for the next import of <paramref name="assetPath"/>.</summary>
        public static void Register(string assetPath, TextureSettings settings)
        {
            lock (Pending)
                Pending[assetPath] = settings;
        }

        /// <summary>The settings registered for <paramref name="assetPath"/>, removed; null when none.</summary>
        public static TextureSettings Take(string assetPath)
        {
            lock (Pending)
            {
                TextureSettings settings;
                if (!Pending.TryGetValue(assetPath, out settings))
                    return null;
                Pending.Remove(assetPath);
                return settings;
            }
        }
    }
}
