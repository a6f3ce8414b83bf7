using System.Collections.Generic;

namespace Skyasset.Editor
{
    /// <summary>The answer of <c>skyasset classes --json</c>.</summary>
    internal sealed class ClassList
    {
        public ClassList(IList<CloudClass> classes, bool fromModel)
        {
            Classes = classes;
            FromModel = fromModel;
        }

        public IList<CloudClass> Classes { get; private set; }

        /// <summary>True when a model is installed (its own classes); false for the built-in CCSN list.</summary>
        public bool FromModel { get; private set; }
    }
}
