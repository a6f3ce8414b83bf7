using UnityEngine.Rendering;

namespace Skyasset.Editor
{
    /// <summary>What Apply does with one reflection probe so that it shows the new sky.</summary>
    internal enum ProbeAction
    {
        /// <summary>Realtime: render it now.</summary>
        Render,
        /// <summary>Baked, with a cubemap in the project: bake it again into that same file.</summary>
        Rebake,
        /// <summary>Baked but never baked (or its cubemap is not a project asset): only Generate Lighting
        /// creates and registers its cubemap, so it is left alone and reported.</summary>
        NeedsGenerateLighting,
        /// <summary>Custom probes show a cubemap the user chose: not ours to replace.</summary>
        Leave,
    }

    internal static class ProbeRefresh
    {
        public static ProbeAction For(ReflectionProbeMode mode, string bakedTexturePath)
        {
            switch (mode)
            {
                case ReflectionProbeMode.Realtime:
                    return ProbeAction.Render;
                case ReflectionProbeMode.Baked:
                    return AssetPaths.IsUnderAssets(bakedTexturePath) ? ProbeAction.Rebake : ProbeAction.NeedsGenerateLighting;
                default:
                    return ProbeAction.Leave;
            }
        }
    }
}
