using System;

namespace Skyasset.Editor
{
    /// <summary>Where the CLI's sun is in Unity's world, free of Unity types so it can be unit-tested.</summary>
    internal static class SkyGeometry
    {
        /// <summary>
        /// Unit direction (x, y, z) towards the sun at panorama fraction (<paramref name="u"/> from the left,
        /// <paramref name="v"/> from the top). The CLI's panoramas put +Z (forward) at the centre, +X a quarter to
        /// the right and the zenith at the top, as Unity's skybox shaders read them (y up, left-handed).
        /// </summary>
        public static double[] SunDirection(double u, double v)
        {
            double lon = (u - 0.5) * 2.0 * Math.PI;
            double lat = (0.5 - v) * Math.PI;
            return new[] { Math.Cos(lat) * Math.Sin(lon), Math.Sin(lat), Math.Cos(lat) * Math.Cos(lon) };
        }

        /// <summary>
        /// The intensity of a directional light that lights the scene as the sky's sun does: the CLI's
        /// <paramref name="irradiance"/> (in the sky's HDR units) times the skybox material's
        /// <paramref name="exposure"/>, which scales the sky's own light the same way. Null when the CLI did
        /// not report it (an older CLI): keep the light's own intensity then.
        /// </summary>
        public static float? SunIntensity(double irradiance, float exposure)
        {
            if (irradiance < 0.0 || double.IsNaN(irradiance) || double.IsInfinity(irradiance))
                return null;
            return (float)(irradiance * Math.Max(0.0f, exposure));
        }

        /// <summary>
        /// Where a direction of the sky texture appears once the skybox material's <c>_Rotation</c> is
        /// <paramref name="degrees"/>: the Skybox shaders draw the sky's vertex at <c>v</c> turned by
        /// RotateAroundYInDegrees(v, degrees) while sampling the texture at <c>v</c>, so what the texture holds
        /// at <paramref name="direction"/> is seen at that turned direction.
        /// </summary>
        public static double[] AfterSkyboxRotation(double[] direction, double degrees)
        {
            double a = degrees * Math.PI / 180.0;
            double c = Math.Cos(a), s = Math.Sin(a);
            // Unity's RotateAroundYInDegrees: (x, z) -> (c x - s z, s x + c z).
            return new[] { c * direction[0] - s * direction[2], direction[1], s * direction[0] + c * direction[2] };
        }
    }
}
