namespace Skyasset.Editor
{
    /// <summary>How the sky reaches Unity: which CLI layout is asked for and which skybox shader shows it.</summary>
    internal enum SkyLayout
    {
        /// <summary>Equirect panorama imported as a cube (latitude-longitude mapping) for Skybox/Cubemap.
        /// The default: no face seams, and the cubemap also serves HDRP's HDRI Sky and reflection probes.</summary>
        CubemapFromEquirect,

        /// <summary>Equirect panorama as a 2D texture for Skybox/Panoramic.</summary>
        Panoramic,

        /// <summary>Horizontal cross (4x3) imported as a cube (6 frames layout) for Skybox/Cubemap.</summary>
        CubemapFromCross,

        /// <summary>Six face images for Skybox/6 Sided.</summary>
        SixSided,
    }
}
