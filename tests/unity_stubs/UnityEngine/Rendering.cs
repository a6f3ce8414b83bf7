using System;

namespace UnityEngine
{
    public class Shader : Object
    {
        public static Shader Find(string name) { throw new NotImplementedException(); }
    }

    public class Material : Object
    {
        public Material(Shader shader) { throw new NotImplementedException(); }
        public Material(Material source) { throw new NotImplementedException(); }
        public Shader shader { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public bool HasProperty(string name) { throw new NotImplementedException(); }
        public void SetTexture(string name, Texture value) { throw new NotImplementedException(); }
        public void SetFloat(string name, float value) { throw new NotImplementedException(); }
        public void EnableKeyword(string keyword) { throw new NotImplementedException(); }
        public void DisableKeyword(string keyword) { throw new NotImplementedException(); }
    }

    public enum TextureWrapMode
    {
        Repeat = 0,
        Clamp = 1,
        Mirror = 2,
        MirrorOnce = 3,
    }

    public enum FilterMode
    {
        Point = 0,
        Bilinear = 1,
        Trilinear = 2,
    }

    public class Texture : Object
    {
        public virtual int width { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public virtual int height { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextureWrapMode wrapMode { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public FilterMode filterMode { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public sealed class Texture2D : Texture
    {
        public Texture2D(int width, int height) { throw new NotImplementedException(); }
    }

    public sealed class Cubemap : Texture
    {
    }

    public static class ImageConversion
    {
        public static bool LoadImage(this Texture2D tex, byte[] data, bool markNonReadable) { throw new NotImplementedException(); }
        public static bool LoadImage(this Texture2D tex, byte[] data) { throw new NotImplementedException(); }
    }

    public sealed class RenderSettings : Object
    {
        public static Material skybox { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public static Light sun { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public sealed class ReflectionProbe : Behaviour
    {
        public UnityEngine.Rendering.ReflectionProbeMode mode { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public Texture bakedTexture { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int RenderProbe() { throw new NotImplementedException(); }
    }

    public sealed class DynamicGI
    {
        public static void UpdateEnvironment() { throw new NotImplementedException(); }
    }

    public class Application
    {
        public static string dataPath { get { throw new NotImplementedException(); } }
    }

    public class Debug
    {
        public static void Log(object message) { throw new NotImplementedException(); }
        public static void LogWarning(object message) { throw new NotImplementedException(); }
        public static void LogError(object message) { throw new NotImplementedException(); }
        public static void LogException(Exception exception) { throw new NotImplementedException(); }
    }
}

namespace UnityEngine.Rendering
{
    public abstract class RenderPipelineAsset : ScriptableObject
    {
    }

    public sealed class GraphicsSettings : Object
    {
        public static RenderPipelineAsset currentRenderPipeline { get { throw new NotImplementedException(); } }
    }

    public enum ReflectionProbeMode
    {
        Baked = 0,
        Realtime = 1,
        Custom = 2,
    }
}

namespace UnityEngine.SceneManagement
{
    public struct Scene
    {
        public string name { get { throw new NotImplementedException(); } }
        public string path { get { throw new NotImplementedException(); } }
    }

    public class SceneManager
    {
        public static Scene GetActiveScene() { throw new NotImplementedException(); }
    }
}
