using UnityEditor;
using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>Applies the settings the importer registered for a generated sky texture while Unity imports it
    /// (instead of importing with defaults, changing the settings and importing again).</summary>
    internal sealed class SkyTexturePostprocessor : AssetPostprocessor
    {
        void OnPreprocessTexture()
        {
            TextureSettings settings = TextureSettings.Take(assetPath);
            var importer = assetImporter as TextureImporter;
            if (settings == null || importer == null)
                return;
            importer.textureType = TextureImporterType.Default;
            importer.textureShape = settings.Cube ? TextureImporterShape.TextureCube : TextureImporterShape.Texture2D;
            if (settings.CubemapSource == CubemapSource.LatLong)
                importer.generateCubemap = TextureImporterGenerateCubemap.Cylindrical;
            else if (settings.CubemapSource == CubemapSource.Cross)
                importer.generateCubemap = TextureImporterGenerateCubemap.FullCubemap;
            else
                importer.npotScale = TextureImporterNPOTScale.None;
            importer.mipmapEnabled = settings.Mipmaps;
            importer.wrapModeU = settings.WrapAround ? TextureWrapMode.Repeat : TextureWrapMode.Clamp;
            importer.wrapModeV = TextureWrapMode.Clamp;
            importer.filterMode = FilterMode.Bilinear;
            importer.maxTextureSize = settings.MaxSize;
            importer.textureCompression = TextureImporterCompression.CompressedHQ;
        }
    }
}
