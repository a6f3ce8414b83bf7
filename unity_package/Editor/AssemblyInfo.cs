using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Skyasset.Editor.Tests")]
