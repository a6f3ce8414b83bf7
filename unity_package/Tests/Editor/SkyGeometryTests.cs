using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    [TestFixture]
    public class SkyGeometryTests
    {
        static void AreClose(double[] expected, double[] actual)
        {
            for (int i = 0; i < 3; i++)
                Assert.AreEqual(expected[i], actual[i], 1e-9, "component " + i);
        }

        [Test]
        public void PanoramaCentreIsForward_QuarterRightIsRight_TopIsUp()
        {
            AreClose(new[] { 0.0, 0.0, 1.0 }, SkyGeometry.SunDirection(0.5, 0.5));
            AreClose(new[] { 1.0, 0.0, 0.0 }, SkyGeometry.SunDirection(0.75, 0.5));
            AreClose(new[] { 0.0, 0.0, -1.0 }, SkyGeometry.SunDirection(0.0, 0.5));
            Assert.AreEqual(1.0, SkyGeometry.SunDirection(0.3, 0.0)[1], 1e-9);
        }

        [Test]
        public void ElevationFollowsTheRow()
        {
            double[] d = SkyGeometry.SunDirection(0.5, 0.25); // a quarter down: 45 degrees up
            Assert.AreEqual(Math.Sin(Math.PI / 4), d[1], 1e-9);
        }

        [Test]
        public void SkyboxRotationTurnsTheSunAboutTheVerticalAxis()
        {
            double[] forward = SkyGeometry.SunDirection(0.5, 0.4);
            AreClose(forward, SkyGeometry.AfterSkyboxRotation(forward, 0.0));
            AreClose(forward, SkyGeometry.AfterSkyboxRotation(forward, 360.0));
            double[] turned = SkyGeometry.AfterSkyboxRotation(forward, 90.0);
            Assert.AreEqual(forward[1], turned[1], 1e-9, "elevation is kept");
            // Unity's shader draws the vertex v at (c x - s z, s x + c z) and samples the texture at v: with +90
            // degrees the texture's forward (+Z) is drawn at -X.
            Assert.AreEqual(-Math.Cos(Math.Asin(forward[1])), turned[0], 1e-9);
            Assert.AreEqual(0.0, turned[2], 1e-9);
        }

        [Test]
        public void TheAnswersSunIsParsed()
        {
            var answer = (Dictionary<string, object>)Json.Parse(Samples.GenerateEquirectWithSun);
            GenerateResult result = ResponseParser.ParseGenerate(answer);
            Assert.IsFalse(result.Sun == null);
            Assert.AreEqual(0.31, result.Sun.U, 1e-12);
            Assert.AreEqual(0.22, result.Sun.V, 1e-12);
            Assert.IsTrue(result.Sun.Distinct);
            Assert.IsTrue(result.Sun.Present);
            Assert.AreEqual(13.5, result.Sun.Irradiance, 1e-12);
            ((Dictionary<string, object>)answer["sun"]).Remove("present"); // as an older CLI answered
            Assert.IsTrue(ResponseParser.ParseGenerate(answer).Sun.Present); // read as "distinct"
            Assert.IsNull(ResponseParser.ParseGenerate((Dictionary<string, object>)Json.Parse(Samples.GenerateEquirect)).Sun);
            GenerateResult none = ResponseParser.ParseGenerate((Dictionary<string, object>)Json.Parse(Samples.GenerateWithoutSun));
            Assert.IsFalse(none.Sun.Present);
            Assert.AreEqual(0.0, none.Sun.Irradiance, 1e-12);
        }

        [Test]
        public void TheSunLightIsAsStrongAsTheSkysSun()
        {
            Assert.AreEqual(0.61f, SkyGeometry.SunIntensity(0.61, 1.0f).Value, 1e-6f);
            Assert.AreEqual(1.22f, SkyGeometry.SunIntensity(0.61, 2.0f).Value, 1e-6f); // exposure scales both
            Assert.AreEqual(0.0f, SkyGeometry.SunIntensity(0.0, 1.0f).Value, 1e-6f);
            Assert.IsFalse(SkyGeometry.SunIntensity(-1.0, 1.0f).HasValue); // not reported: keep the light's own
        }
    }
}
