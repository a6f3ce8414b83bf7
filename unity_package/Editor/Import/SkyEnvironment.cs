using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>Sets a scene's sky in HDRP: an HDRI Sky override on a global Volume, with the same exposure and
    /// rotation as the skybox material elsewhere. Returns a sentence for the window's status line.</summary>
    internal delegate string HdriSkySetter(Cubemap sky, float exposure, float rotation, string profileFolder);

    /// <summary>
    /// Where a render pipeline that ignores <c>RenderSettings.skybox</c> plugs in. HDRP's types exist only in
    /// projects that have HDRP, so that code lives in its own assembly (<c>Skyasset.Editor.Hdrp</c>, compiled
    /// only when the HDRP package is installed) which registers itself here when the editor loads.
    /// </summary>
    internal static class SkyEnvironment
    {
        /// <summary>Set by <c>Skyasset.Editor.Hdrp</c> through <see cref="Register"/>; null without HDRP.</summary>
        public static HdriSkySetter HdriSky { get; private set; }

        public static void Register(HdriSkySetter setter)
        {
            HdriSky = setter;
        }

        /// <summary>True when the HDRP support assembly is loaded, so Apply can set an HDRI Sky.</summary>
        public static bool CanSetHdriSky
        {
            get { return HdriSky != null; }
        }
    }
}
