using System;

namespace Skyasset.Editor
{
    /// <summary>Seeds are 0 .. 4294967295 (docs/BUNDLE.md: one PCG64 stream per seed).</summary>
    internal static class Seeds
    {
        public const long Max = uint.MaxValue;

        /// <summary>A uniform seed over the whole range.</summary>
        public static long Random(System.Random random)
        {
            var bytes = new byte[4];
            random.NextBytes(bytes);
            return BitConverter.ToUInt32(bytes, 0);
        }

        public static long Clamp(long seed)
        {
            return Math.Max(0L, Math.Min(Max, seed));
        }
    }
}
