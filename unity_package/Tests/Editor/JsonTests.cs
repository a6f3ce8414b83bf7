using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    [TestFixture]
    public class JsonTests
    {
        [Test]
        public void ParsesEveryValueKind()
        {
            var value = (Dictionary<string, object>)Json.Parse(
                " {\"s\": \"a\\\"b\\\\c\\n\\u00e9\\ud83c\\udf24\", \"i\": -12, \"big\": 4294967295, \"f\": 0.5e1, " +
                "\"t\": true, \"n\": null, \"a\": [1, \"x\", [], {}]} ");
            Assert.AreEqual("a\"b\\c\né\U0001F324", value["s"]);
            Assert.AreEqual(-12L, value["i"]);
            Assert.AreEqual(4294967295L, value["big"]);
            Assert.AreEqual(5.0, value["f"]);
            Assert.AreEqual(true, value["t"]);
            Assert.IsNull(value["n"]);
            Assert.IsTrue(value.ContainsKey("n"));
            var array = (List<object>)value["a"];
            Assert.AreEqual(4, array.Count);
            Assert.AreEqual(1L, array[0]);
            Assert.IsInstanceOf<List<object>>(array[2]);
            Assert.IsInstanceOf<Dictionary<string, object>>(array[3]);
        }

        [Test]
        public void ReadsNonAsciiTextAsIs()
        {
            Assert.AreEqual("/tmp/Pröject dir/雲.png", Json.Parse("\"/tmp/Pröject dir/雲.png\""));
        }

        [TestCase("")]
        [TestCase("{")]
        [TestCase("{\"a\": 1,}")]
        [TestCase("[1 2]")]
        [TestCase("{\"a\" 1}")]
        [TestCase("NaN")]
        [TestCase("{\"a\": NaN}")]
        [TestCase("01")]
        [TestCase("1.")]
        [TestCase("\"unterminated")]
        [TestCase("\"bad \\x escape\"")]
        [TestCase("{} trailing")]
        [TestCase("tru")]
        public void RejectsInvalidJson(string text)
        {
            Assert.Throws<FormatException>(() => Json.Parse(text));
        }

        [Test]
        public void RejectsAbsurdNesting()
        {
            Assert.Throws<FormatException>(() => Json.Parse(new string('[', 1000) + new string(']', 1000)));
        }
    }
}
