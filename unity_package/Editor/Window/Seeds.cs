using System;

namespace Skyasset.Editor
{
    /// <summary>Seeds are 0 .. 2147483647, the protocol's one range (Blender's seed is a signed 32-bit int).</summary>
    internal static class Seeds
    {
        public const long Max = int.MaxValue;

        /// <summary>A uniform seed over the whole range.</summary>
        public static long Random(System.Random random)
        {
            var bytes = new byte[4];
            random.NextBytes(bytes);
            return BitConverter.ToUInt32(bytes, 0) & (uint)int.MaxValue;
        }

        public static long Clamp(long seed)
        {
            return Math.Max(0L, Math.Min(Max, seed));
        }
    }
}
