namespace Skyasset.Editor
{
    /// <summary>The <c>sun</c> of a generate answer: where the sky's one sun is and how strongly it lights.</summary>
    internal sealed class SunPosition
    {
        public SunPosition(double u, double v, double elevationDeg, bool distinct, bool present, double irradiance)
        {
            U = u;
            V = v;
            ElevationDeg = elevationDeg;
            Distinct = distinct;
            Present = present;
            Irradiance = irradiance;
        }

        /// <summary>Fraction of the panorama's width from the left.</summary>
        public double U { get; private set; }

        /// <summary>Fraction of its height from the top.</summary>
        public double V { get; private set; }
        public double ElevationDeg { get; private set; }

        /// <summary>False for an overcast sky: there is no sun to aim a light at.</summary>
        public bool Distinct { get; private set; }

        /// <summary>Whether the sky has a sun at all (older CLIs did not say: read as <see cref="Distinct"/>).</summary>
        public bool Present { get; private set; }

        /// <summary>The sun's irradiance in the units of the sky's HDR (0 without a sun; negative when an older
        /// CLI did not report it): a directional light of this intensity times the skybox's exposure lights the
        /// scene as the sky's sun does.</summary>
        public double Irradiance { get; private set; }
    }
}
