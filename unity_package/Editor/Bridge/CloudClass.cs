namespace Skyasset.Editor
{
    /// <summary>One cloud type the model knows, from <c>skyasset classes --json</c>.</summary>
    internal sealed class CloudClass
    {
        public CloudClass(string code, string name, string description)
        {
            Code = code;
            Name = name;
            Description = description;
        }

        /// <summary>WMO genus code, e.g. "Cu"; what <c>--cloud</c> is given.</summary>
        public string Code { get; private set; }
        public string Name { get; private set; }
        public string Description { get; private set; }
    }
}
