namespace Skyasset.Editor
{
    /// <summary>What to ask <c>skyasset generate</c> for; turned into arguments by <see cref="SkyassetCli"/>.</summary>
    internal sealed class GenerateRequest
    {
        /// <summary>Cloud type code or name (see <c>skyasset classes</c>).</summary>
        public string Cloud;

        /// <summary>0 .. 2147483647, the protocol's one range.</summary>
        public long Seed;

        /// <summary>Truncation: 1 = full variety, 0 = the class-mean sky.</summary>
        public float Psi = 0.7f;

        /// <summary>CLI layout: flat, equirect, faces, cross-h, cross-v, dice, horizon.</summary>
        public string Layout = "equirect";

        /// <summary>Equirect width in pixels (height is half; cube faces a quarter).</summary>
        public int Size = 2048;

        public bool Hdr;

        /// <summary>4x super-resolution: "none", "fast" (bundled, under a second at 4096) or "best" (Real-ESRGAN).</summary>
        public string Upscale = "none";

        /// <summary>Overwrite existing files.</summary>
        public bool Force;

        /// <summary>Absolute path of the main output file (<c>-o</c>), e.g. .../Assets/Skies/preview.png; or
        /// <see cref="OutputFolder"/>, not both.</summary>
        public string OutputPath;

        /// <summary>Absolute folder (<c>--out-dir</c>): the CLI names the files after the settings, the name the
        /// studio and Blender give the same sky (<see cref="GenerateResult.Stem"/>).</summary>
        public string OutputFolder;
    }
}
