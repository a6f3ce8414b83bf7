using System.Collections.Generic;

namespace Skyasset.Editor
{
    /// <summary>The answer of <c>skyasset generate --json</c> (the fields the editor uses).</summary>
    internal sealed class GenerateResult
    {
        public GenerateResult(IList<string> outputs, IList<OutputFile> files, string cloud, string cloudName,
            long seed, double psi, string layout, int width, int height, bool hdr, string modelId, double totalSeconds)
        {
            Outputs = outputs;
            Files = files;
            Cloud = cloud;
            CloudName = cloudName;
            Seed = seed;
            Psi = psi;
            Layout = layout;
            Width = width;
            Height = height;
            Hdr = hdr;
            ModelId = modelId;
            TotalSeconds = totalSeconds;
        }

        /// <summary>Every file written, absolute paths.</summary>
        public IList<string> Outputs { get; private set; }
        public IList<OutputFile> Files { get; private set; }

        /// <summary>The sky's name from its settings, e.g. <c>cumulus_7_psi070_2048_fast</c>: the CLI decides it,
        /// and the studio and Blender give the same sky the same name.</summary>
        public string Stem { get; internal set; }

        /// <summary>Class code, or null for an unconditional model.</summary>
        public string Cloud { get; private set; }
        public string CloudName { get; private set; }
        public long Seed { get; private set; }
        public double Psi { get; private set; }
        public string Layout { get; private set; }

        /// <summary>The equirect size (or the flat image's) in pixels.</summary>
        public int Width { get; private set; }
        public int Height { get; private set; }
        public bool Hdr { get; private set; }
        public string ModelId { get; private set; }
        public double TotalSeconds { get; private set; }

        /// <summary>The sky's sun, or null (a flat image, or an older CLI that does not report it).</summary>
        public SunPosition Sun { get; internal set; }

        /// <summary>The files with <paramref name="role"/>, in the CLI's order.</summary>
        public List<OutputFile> FilesWithRole(string role)
        {
            var found = new List<OutputFile>();
            foreach (OutputFile file in Files)
            {
                if (file.Role == role)
                    found.Add(file);
            }
            return found;
        }

        /// <summary>The file with <paramref name="role"/> in the first available of <paramref name="formats"/>,
        /// or null.</summary>
        public OutputFile FindFile(string role, params string[] formats)
        {
            foreach (string format in formats)
            {
                foreach (OutputFile file in Files)
                {
                    if (file.Role == role && file.Format == format)
                        return file;
                }
            }
            return null;
        }
    }
}
