using System.Collections.Generic;
using System.IO;
using System.Threading;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    /// <summary>Previews of the chosen sky: one per cloud, seed and psi, made as the flat generator image.</summary>
    [TestFixture]
    public class PreviewCacheTests
    {
        [Test]
        public void EachSeedAndPsiHasItsOwnPreview()
        {
            var cache = new PreviewCache("/project", "model A");
            string a = cache.PathFor("Cu", 7, 0.7f);
            Assert.IsTrue(a != cache.PathFor("Cu", 8, 0.7f), "seed");
            Assert.IsTrue(a != cache.PathFor("Cu", 7, 0.5f), "psi");
            Assert.IsTrue(a != cache.PathFor("St", 7, 0.7f), "cloud");
            Assert.IsTrue(a != new PreviewCache("/project", "model B").PathFor("Cu", 7, 0.7f), "model");
            Assert.IsTrue(a.StartsWith(Path.Combine(Path.Combine("/project", "Library"), "skyasset")), a);
        }

        [Test]
        public void ThePreviewAsksTheCliForTheChosenSeedAsAFlatImage()
        {
            var runner = FakeProcessRunner.Answering(0, Samples.GenerateEquirect);
            var cli = new SkyassetCli(runner, "skyasset", null, System.TimeSpan.FromSeconds(30));
            var cache = new PreviewCache(Path.GetTempPath(), "preview test");
            cache.GenerateAsync(cli, "Cu", 2147483647L, 0.55f, CancellationToken.None).GetAwaiter().GetResult();
            IList<string> call = runner.Calls[0];
            Assert.AreEqual("2147483647", call[call.IndexOf("--seed") + 1]);
            Assert.AreEqual("0.55", call[call.IndexOf("--psi") + 1]);
            Assert.AreEqual("flat", call[call.IndexOf("--layout") + 1]);
            Assert.AreEqual(cache.PathFor("Cu", 2147483647L, 0.55f), call[call.IndexOf("--out") + 1]);
            CollectionAssert.Contains(call, "--force");
        }
    }
}
