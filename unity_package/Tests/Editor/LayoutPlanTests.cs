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
    }
}
