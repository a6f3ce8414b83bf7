namespace Skyasset.Editor
{
    /// <summary>The <c>sun</c> of a generate answer: where the sky's brightest region is.</summary>
    internal sealed class SunPosition
    {
        public SunPosition(double u, double v, double elevationDeg, bool distinct)
        {
            U = u;
            V = v;
            ElevationDeg = elevationDeg;
            Distinct = distinct;
        }

        /// <summary>Fraction of the panorama's width from the left.</summary>
        public double U { get; private set; }

        /// <summary>Fraction of its height from the top.</summary>
        public double V { get; private set; }
        public double ElevationDeg { get; private set; }

        /// <summary>False for an overcast sky: there is no sun to aim a light at.</summary>
        public bool Distinct { get; private set; }
    }
}
