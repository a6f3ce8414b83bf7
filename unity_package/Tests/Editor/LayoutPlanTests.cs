using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    [TestFixture]
    public class LayoutPlanTests
    {
        static GenerateResult Parse(string answer)
        {
            return ResponseParser.ParseGenerate((Dictionary<string, object>)Json.Parse(answer));
        }

        // Enum names as strings: test methods are public, SkyLayout is internal.
        [TestCase("CubemapFromEquirect", "equirect", "Skybox/Cubemap", true)]
        [TestCase("Panoramic", "equirect", "Skybox/Panoramic", false)]
        [TestCase("CubemapFromCross", "cross-h", "Skybox/Cubemap", true)]
        [TestCase("SixSided", "faces", "Skybox/6 Sided", false)]
        public void EachLayoutNamesItsCliLayoutAndShader(string layout, string cli, string shader, bool cube)
        {
            LayoutPlan plan = LayoutPlan.For((SkyLayout)Enum.Parse(typeof(SkyLayout), layout));
            Assert.AreEqual(cli, plan.CliLayout);
            Assert.AreEqual(shader, plan.Shader);
            Assert.AreEqual(cube, plan.IsCube);
            Assert.AreEqual(cube, plan.Mipmaps, "mipmaps for cubes only");
        }

        [Test]
        public void SixSided_FillsEverySlotFromItsFace()
        {
            Dictionary<string, OutputFile> picked = LayoutPlan.For(SkyLayout.SixSided)
                .PickFiles(Parse(Samples.GenerateFacesHdr), false);
            Assert.AreEqual(6, picked.Count);
            Assert.AreEqual("/p/Assets/f_front.png", picked["face:front"].Path);
            Assert.AreEqual("/p/Assets/f_down.png", picked["face:down"].Path);
            Assert.AreEqual("_LeftTex", LayoutPlan.For(SkyLayout.SixSided).Slots["face:left"]);
        }

        [Test]
        public void Hdr_PrefersExr()
        {
            Dictionary<string, OutputFile> picked = LayoutPlan.For(SkyLayout.SixSided)
                .PickFiles(Parse(Samples.GenerateFacesHdr), true);
            Assert.AreEqual("exr", picked["face:up"].Format);
        }

        [Test]
        public void HdrWanted_FallsBackToPng_WhenTheCliWroteNone()
        {
            Dictionary<string, OutputFile> picked = LayoutPlan.For(SkyLayout.Panoramic)
                .PickFiles(Parse(Samples.GenerateEquirect), true);
            Assert.AreEqual("png", picked["equirect"].Format);
        }

        [Test]
        public void MissingRole_IsReported()
        {
            var error = Assert.Throws<SkyassetCliException>(
                () => LayoutPlan.For(SkyLayout.CubemapFromCross).PickFiles(Parse(Samples.GenerateEquirect), false));
            StringAssert.Contains("cross-h", error.Message);
        }

        [TestCase(256, 128, 256)]
        [TestCase(2048, 1024, 2048)]
        [TestCase(2000, 1000, 2048)]
        [TestCase(16, 16, 32)]
        [TestCase(40000, 20000, 16384)]
        public void MaxTextureSize_HoldsTheImage(int width, int height, int expected)
        {
            Assert.AreEqual(expected, LayoutPlan.MaxTextureSize(width, height));
        }

        [Test]
        public void UnusedFiles_AreTheOtherFormatsAndTheSidecar()
        {
            GenerateResult result = Parse(Samples.GenerateFacesHdr);
            LayoutPlan plan = LayoutPlan.For(SkyLayout.SixSided);
            Dictionary<string, OutputFile> picked = plan.PickFiles(result, true);
            List<OutputFile> unused = plan.UnusedFiles(result, picked);
            Assert.AreEqual(result.Files.Count - 6, unused.Count);
            foreach (OutputFile file in unused)
                Assert.IsFalse(file.Format == "exr", file.Path + " is used by the material");
            Assert.IsTrue(unused.Exists(f => f.Role == "sidecar"));
            Assert.IsTrue(unused.Exists(f => f.Format == "png" && f.Role == "face:front"));
        }

        [Test]
        public void UnusedFiles_WithoutHdr_IsOnlyTheSidecar()
        {
            GenerateResult result = Parse(Samples.GenerateEquirect);
            LayoutPlan plan = LayoutPlan.For(SkyLayout.Panoramic);
            List<OutputFile> unused = plan.UnusedFiles(result, plan.PickFiles(result, false));
            foreach (OutputFile file in unused)
                Assert.AreEqual("sidecar", file.Role);
        }

        [TestCase("CubemapFromEquirect", true, "LatLong", true, false)]
        [TestCase("CubemapFromCross", true, "Cross", true, false)]
        [TestCase("Panoramic", false, "None", false, true)]
        [TestCase("SixSided", false, "None", false, false)]
        public void Settings_FollowTheLayout(string layout, bool cube, string source, bool mips, bool wrap)
        {
            var file = new OutputFile("/p/Assets/x.png", "equirect", "png", 3000, 1500);
            TextureSettings settings = LayoutPlan.For((SkyLayout)Enum.Parse(typeof(SkyLayout), layout)).SettingsFor(file);
            Assert.AreEqual(cube, settings.Cube);
            Assert.AreEqual(source, settings.CubemapSource.ToString());
            Assert.AreEqual(mips, settings.Mipmaps);
            Assert.AreEqual(wrap, settings.WrapAround);
            Assert.AreEqual(4096, settings.MaxSize);
        }

        [Test]
        public void Settings_AreTakenOnce()
        {
            var settings = new TextureSettings(true, CubemapSource.LatLong, true, false, 2048);
            TextureSettings.Register("Assets/Skies/a.png", settings);
            Assert.IsNull(TextureSettings.Take("Assets/Skies/b.png"));
            Assert.IsTrue(ReferenceEquals(settings, TextureSettings.Take("Assets/Skies/a.png")));
            Assert.IsNull(TextureSettings.Take("Assets/Skies/a.png"), "a second import uses the project's settings");
        }

        [Test]
        public void HiddenFolder_IsNamedAfterTheSky()
        {
            Assert.AreEqual("/p/Assets/Skies/cumulus_7_psi070_2048~",
                AssetPaths.HiddenFolder("/p/Assets/Skies/cumulus_7_psi070_2048.json"));
        }
    }
}
