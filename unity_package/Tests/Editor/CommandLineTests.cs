using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    /// <summary>Quoting per runtime. The Mono/Unix style is also run for real against a child process by
    /// tests/test_unity_csharp.py; the Windows cases follow the CommandLineToArgvW rules.</summary>
    [TestFixture]
    public class CommandLineTests
    {
        [TestCase("plain", "plain")]
        [TestCase("", "\"\"")]
        [TestCase("with space", "\"with space\"")]
        [TestCase("C:\\Users\\Ana\\My Project\\Assets", "\"C:\\Users\\Ana\\My Project\\Assets\"")]
        [TestCase("C:\\dir with space\\", "\"C:\\dir with space\\\\\"")]
        [TestCase("say \"hi\"", "\"say \\\"hi\\\"\"")]
        [TestCase("a\\\"b", "\"a\\\\\\\"b\"")]
        [TestCase("Wolken ☁ é", "\"Wolken ☁ é\"")]
        [TestCase("C:\\no-space\\path", "\"C:\\no-space\\path\"")]
        public void Windows(string argument, string expected)
        {
            Assert.AreEqual(expected, CommandLine.Join(new[] { argument }, CommandLineStyle.Windows));
        }

        [TestCase("plain", "plain")]
        [TestCase("", "\"\"")]
        [TestCase("/Users/ana/My Project/Assets", "\"/Users/ana/My Project/Assets\"")]
        [TestCase("two\\\\", "\"two\\\\\\\\\"")]
        [TestCase("say \"hi\"", "\"say \\\"hi\\\"\"")]
        [TestCase("it's", "\"it's\"")]
        [TestCase("$HOME", "$HOME")]
        [TestCase("Wolken ☁ é", "\"Wolken ☁ é\"")]
        public void MonoUnix(string argument, string expected)
        {
            Assert.AreEqual(expected, CommandLine.Join(new[] { argument }, CommandLineStyle.MonoUnix));
        }

        [Test]
        public void JoinsWithSingleSpaces()
        {
            Assert.AreEqual("generate --out \"/a b/c.png\" --json",
                CommandLine.Join(new[] { "generate", "--out", "/a b/c.png", "--json" }, CommandLineStyle.MonoUnix));
        }
    }
}
