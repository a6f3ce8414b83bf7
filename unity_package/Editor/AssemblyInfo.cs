using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Skyasset.Editor.Tests")]
[assembly: InternalsVisibleTo("Skyasset.Editor.Hdrp")]
