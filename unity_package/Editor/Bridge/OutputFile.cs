namespace Skyasset.Editor
{
    /// <summary>One image file the CLI wrote: an entry of <c>files</c> in the generate answer.</summary>
    internal sealed class OutputFile
    {
        public OutputFile(string path, string role, string format, int width, int height)
        {
            Path = path;
            Role = role;
            Format = format;
            Width = width;
            Height = height;
        }

        /// <summary>Absolute path.</summary>
        public string Path { get; private set; }

        /// <summary>flat, equirect, face:front|back|left|right|up|down, cross-h, cross-v, dice, horizon, sidecar.</summary>
        public string Role { get; private set; }

        /// <summary>File format, e.g. png, hdr, exr, json.</summary>
        public string Format { get; private set; }
        public int Width { get; private set; }
        public int Height { get; private set; }
    }
}
