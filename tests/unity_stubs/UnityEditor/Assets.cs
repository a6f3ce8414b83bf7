using System;
using Object = UnityEngine.Object;

namespace UnityEditor
{
    [Flags]
    public enum ImportAssetOptions
    {
        Default = 0,
        ForceUpdate = 1,
        ForceSynchronousImport = 8,
        ImportRecursive = 256,
        DontDownloadFromCacheServer = 2048,
        ForceUncompressedImport = 16384,
    }

    public sealed class AssetDatabase
    {
        public static void ImportAsset(string path) { throw new NotImplementedException(); }
        public static void ImportAsset(string path, ImportAssetOptions options) { throw new NotImplementedException(); }
        public static T LoadAssetAtPath<T>(string assetPath) where T : Object { throw new NotImplementedException(); }
        public static void CreateAsset(Object asset, string path) { throw new NotImplementedException(); }
        public static void AddObjectToAsset(Object objectToAdd, Object assetObject) { throw new NotImplementedException(); }
        public static string GenerateUniqueAssetPath(string path) { throw new NotImplementedException(); }
        public static void SaveAssets() { throw new NotImplementedException(); }
        public static string GetAssetPath(Object assetObject) { throw new NotImplementedException(); }
        public static void Refresh() { throw new NotImplementedException(); }
        public static bool IsValidFolder(string path) { throw new NotImplementedException(); }
        public static string CreateFolder(string parentFolder, string newFolderName) { throw new NotImplementedException(); }
    }

    public class AssetImporter : Object
    {
        public static AssetImporter GetAtPath(string path) { throw new NotImplementedException(); }
        public string assetPath { get { throw new NotImplementedException(); } }
        public void SaveAndReimport() { throw new NotImplementedException(); }
    }

    public class AssetPostprocessor
    {
        public string assetPath { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public AssetImporter assetImporter { get { throw new NotImplementedException(); } }
    }

    public enum TextureImporterType
    {
        Default = 0,
        NormalMap = 1,
        GUI = 2,
        Cookie = 4,
        Lightmap = 6,
        Cursor = 7,
        Sprite = 8,
        SingleChannel = 10,
        Shadowmask = 11,
        DirectionalLightmap = 12,
    }

    public enum TextureImporterShape
    {
        Texture2D = 1,
        TextureCube = 2,
        Texture2DArray = 4,
        Texture3D = 8,
    }

    public enum TextureImporterGenerateCubemap
    {
        [Obsolete("This value is deprecated (use TextureImporter.textureShape instead).")] None = 0,
        Spheremap = 1,
        Cylindrical = 2,
        [Obsolete("Obscure shperemap modes are not supported any longer (use TextureImporterGenerateCubemap.Spheremap instead).")] SimpleSpheremap = 3,
        [Obsolete("Obscure shperemap modes are not supported any longer (use TextureImporterGenerateCubemap.Spheremap instead).")] NiceSpheremap = 4,
        FullCubemap = 5,
        AutoCubemap = 6,
    }

    public enum TextureImporterNPOTScale
    {
        None = 0,
        ToNearest = 1,
        ToLarger = 2,
        ToSmaller = 3,
    }

    public enum TextureImporterCompression
    {
        Uncompressed = 0,
        Compressed = 1,
        CompressedHQ = 2,
        CompressedLQ = 3,
    }

    public sealed class TextureImporter : AssetImporter
    {
        public TextureImporterType textureType { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextureImporterShape textureShape { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextureImporterGenerateCubemap generateCubemap { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextureImporterNPOTScale npotScale { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextureImporterCompression textureCompression { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public bool mipmapEnabled { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public bool sRGBTexture { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int maxTextureSize { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public UnityEngine.TextureWrapMode wrapMode { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public UnityEngine.TextureWrapMode wrapModeU { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public UnityEngine.TextureWrapMode wrapModeV { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public UnityEngine.FilterMode filterMode { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }
}
