using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    [TestFixture]
    public class SettingsAndPathsTests
    {
        [Test]
        public void Locator_TakesTheFirstPathEntryThatHasTheExecutable()
        {
            var existing = new HashSet<string> { "/venv/bin/skyasset", "/usr/local/bin/skyasset" };
            Assert.AreEqual("/venv/bin/skyasset",
                ExecutableLocator.Find("/usr/bin:/venv/bin:/usr/local/bin", "/home/ana", false, existing.Contains));
        }

        [Test]
        public void Locator_LooksInUserScriptFoldersWhenPathLacksIt()
        {
            var existing = new HashSet<string> { "/home/ana/.local/bin/skyasset" };
            Assert.AreEqual("/home/ana/.local/bin/skyasset",
                ExecutableLocator.Find("/usr/bin", "/home/ana", false, existing.Contains));
            Assert.IsNull(ExecutableLocator.Find("/usr/bin", "/home/ana", false, p => false));
        }

        [Test]
        public void Locator_UsesWindowsNames()
        {
            List<string> candidates = ExecutableLocator.Candidates("C:\\Python311\\Scripts;\"C:\\My Tools\"", null, true);
            Assert.IsTrue(candidates[0].EndsWith("skyasset.exe", StringComparison.Ordinal));
            Assert.IsTrue(candidates[0].StartsWith("C:\\Python311\\Scripts", StringComparison.Ordinal));
            Assert.IsTrue(candidates.Exists(c => c.StartsWith("C:\\My Tools", StringComparison.Ordinal)));
        }

        [TestCase("Assets", true)]
        [TestCase("Assets/Skies", true)]
        [TestCase("Assets/Skies/", true)]
        [TestCase("Packages/com.x", false)]
        [TestCase("Assets/../Library", false)]
        [TestCase("AssetsX", false)]
        [TestCase("", false)]
        public void OutputFolder_MustBeUnderAssets(string path, bool ok)
        {
            Assert.AreEqual(ok, AssetPaths.IsUnderAssets(path));
        }

        [Test]
        public void AbsolutePaths_MapBackToAssetPaths()
        {
            string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "My Pröject");
            string absolute = AssetPaths.ToAbsolute(root, "Assets/Skies/cumulus_7.png");
            Assert.AreEqual("Assets/Skies/cumulus_7.png", AssetPaths.ToAssetPath(root, absolute));
            Assert.IsNull(AssetPaths.ToAssetPath(root, System.IO.Path.Combine(root, "Library/x.png")));
            Assert.IsNull(AssetPaths.ToAssetPath(root, System.IO.Path.GetTempPath()));
        }

        [TestCase("cumulus", 7L, "cumulus_7")]
        [TestCase("cirro cumulus/2", 2147483647L, "cirro_cumulus_2_2147483647")]
        [TestCase(null, 0L, "sky_0")]
        public void SkyFileStem_IsSafe(string name, long seed, string expected)
        {
            Assert.AreEqual(expected, AssetPaths.SkyFileStem(name, seed));
        }

        [TestCase("output_exists", "Overwrite")]
        [TestCase("no_model", "OpenPreferences")]
        [TestCase("bundle_checksum_mismatch", "OpenPreferences")]
        [TestCase("executable_not_found", "OpenPreferences")]
        [TestCase("timeout", "OpenPreferences")]
        [TestCase("cancelled", "Silent")]
        [TestCase("unknown_cloud", "None")]
        [TestCase("internal_error", "None")]
        public void ErrorRemedies(string code, string remedy)
        {
            Assert.AreEqual(remedy, ErrorAdvice.For(code).ToString());
            Assert.IsNotEmpty(ErrorAdvice.Title(code));
        }

        [Test]
        public void RandomSeed_CoversTheWholeRange()
        {
            var random = new Random(1);
            long max = 0;
            for (int i = 0; i < 200; i++)
            {
                long seed = Seeds.Random(random);
                Assert.IsTrue(seed >= 0 && seed <= int.MaxValue, "the protocol's one range: Blender can hold it");
                max = Math.Max(max, seed);
            }
            Assert.IsTrue(max > int.MaxValue / 2, "seeds from the top half of the range occur");
        }

        [Test]
        public void ProbeRefresh_RendersRealtimeProbes()
        {
            Assert.AreEqual(ProbeAction.Render, ProbeRefresh.For(UnityEngine.Rendering.ReflectionProbeMode.Realtime, null));
        }

        [Test]
        public void ProbeRefresh_RebakesABakedProbeIntoItsOwnCubemap()
        {
            Assert.AreEqual(ProbeAction.Rebake,
                ProbeRefresh.For(UnityEngine.Rendering.ReflectionProbeMode.Baked, "Assets/Scenes/Main/ReflectionProbe-0.exr"));
        }

        [Test]
        public void ProbeRefresh_LeavesNeverBakedAndCustomProbesAlone()
        {
            // Never baked: no cubemap yet, or Unity's built-in default texture (not a project asset).
            Assert.AreEqual(ProbeAction.NeedsGenerateLighting,
                ProbeRefresh.For(UnityEngine.Rendering.ReflectionProbeMode.Baked, null));
            Assert.AreEqual(ProbeAction.NeedsGenerateLighting,
                ProbeRefresh.For(UnityEngine.Rendering.ReflectionProbeMode.Baked, "Library/unity default resources"));
            Assert.AreEqual(ProbeAction.Leave,
                ProbeRefresh.For(UnityEngine.Rendering.ReflectionProbeMode.Custom, "Assets/Sky/Custom.exr"));
        }

        [Test]
        public void SkyEnvironment_HdriSkyIsWhatThePipelineAssemblyRegistered()
        {
            HdriSkySetter before = SkyEnvironment.HdriSky;
            try
            {
                SkyEnvironment.Register(null);
                Assert.IsFalse(SkyEnvironment.CanSetHdriSky);
                HdriSkySetter setter = (sky, exposure, rotation, folder) => folder + ":" + exposure + ":" + rotation;
                SkyEnvironment.Register(setter);
                Assert.IsTrue(SkyEnvironment.CanSetHdriSky);
                Assert.AreEqual("Assets/Skies:2:90", SkyEnvironment.HdriSky(null, 2f, 90f, "Assets/Skies"));
            }
            finally
            {
                SkyEnvironment.Register(before);
            }
        }
    }
}
