using System;
using System.Collections.Generic;
using System.Threading;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    /// <summary>The bridge with a fake process runner: arguments out, answers and errors in.</summary>
    [TestFixture]
    public class SkyassetCliTests
    {
        static readonly TimeSpan k_Timeout = TimeSpan.FromSeconds(30);

        static SkyassetCli Cli(FakeProcessRunner runner, string model = null)
        {
            return new SkyassetCli(runner, "/opt/sky asset/bin/skyasset", model, k_Timeout);
        }

        static GenerateRequest Request()
        {
            return new GenerateRequest
            {
                Cloud = "Cu", Seed = 2147483647L, Psi = 0.7f, Layout = "faces", Size = 4096, Hdr = true, Upscale = "fast",
                OutputPath = "/home/ana/My Project/Assets/Skies/Wolken ☁/cumulus_7.png",
            };
        }

        static SkyassetCliException Fails(FakeProcessRunner runner)
        {
            return Assert.Throws<SkyassetCliException>(
                () => Cli(runner).GenerateAsync(Request(), CancellationToken.None).GetAwaiter().GetResult());
        }

        [Test]
        public void GenerateArguments_AreOneStringPerArgument_WithPathsUntouched()
        {
            var runner = FakeProcessRunner.Answering(0, Samples.GenerateFacesHdr);
            Cli(runner, "/models/ccsn 256").GenerateAsync(Request(), CancellationToken.None).GetAwaiter().GetResult();
            var expected = new List<string>
            {
                "generate", "--cloud", "Cu", "--seed", "2147483647", "--psi", "0.7", "--layout", "faces",
                "--size", "4096", "--hdr", "--upscale", "fast", "--out", "/home/ana/My Project/Assets/Skies/Wolken ☁/cumulus_7.png",
                "--model", "/models/ccsn 256", "--json",
            };
            CollectionAssert.AreEqual(expected, runner.Calls[0]);
            Assert.AreEqual("/opt/sky asset/bin/skyasset", runner.LastExecutable);
            Assert.AreEqual(k_Timeout, runner.LastTimeout);
        }

        [Test]
        public void GenerateArguments_AddForceOnlyWhenAsked_AndOmitModelWhenUnset()
        {
            GenerateRequest request = Request();
            request.Hdr = false;
            List<string> plain = Cli(FakeProcessRunner.Answering(0, "{}")).GenerateArguments(request);
            CollectionAssert.DoesNotContain(plain, "--force");
            CollectionAssert.DoesNotContain(plain, "--model");
            CollectionAssert.DoesNotContain(plain, "--hdr");
            request.Force = true;
            CollectionAssert.Contains(Cli(FakeProcessRunner.Answering(0, "{}")).GenerateArguments(request), "--force");
        }

        [Test]
        public void GenerateArguments_WithAFolder_LetTheCliNameTheFiles()
        {
            GenerateRequest request = Request();
            request.OutputPath = null;
            request.OutputFolder = "/home/ana/My Project/Assets/Skies";
            List<string> arguments = Cli(FakeProcessRunner.Answering(0, "{}")).GenerateArguments(request);
            Assert.AreEqual("/home/ana/My Project/Assets/Skies", arguments[arguments.IndexOf("--out-dir") + 1]);
            CollectionAssert.DoesNotContain(arguments, "--out");
        }

        [Test]
        public void GenerateArguments_NeedExactlyOneOfFileAndFolder()
        {
            GenerateRequest both = Request();
            both.OutputFolder = "/p/Assets/Skies";
            Assert.Throws<ArgumentException>(() => Cli(FakeProcessRunner.Answering(0, "{}")).GenerateArguments(both));
            GenerateRequest neither = Request();
            neither.OutputPath = null;
            Assert.Throws<ArgumentException>(() => Cli(FakeProcessRunner.Answering(0, "{}")).GenerateArguments(neither));
        }

        [Test]
        public void Generate_ParsesTheAnswer()
        {
            GenerateResult result = Cli(FakeProcessRunner.Answering(0, Samples.GenerateEquirect + "\n"))
                .GenerateAsync(Request(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.AreEqual("Cu", result.Cloud);
            Assert.AreEqual("cumulus", result.CloudName);
            Assert.AreEqual("cumulus_7_psi070_256_ring", result.Stem);  // ring: not the model's default
            Assert.AreEqual(7L, result.Seed);
            Assert.AreEqual(0.7, result.Psi, 1e-9);
            Assert.AreEqual("equirect", result.Layout);
            Assert.AreEqual(256, result.Width);
            Assert.AreEqual(128, result.Height);
            Assert.IsFalse(result.Hdr);
            Assert.AreEqual("tiny-random-test", result.ModelId);
            Assert.AreEqual(2, result.Files.Count);
            Assert.AreEqual("/tmp/Pröject dir/Assets/Skies/cumulus_7.png", result.FindFile("equirect", "png").Path);
            Assert.AreEqual(0, result.FilesWithRole("sidecar")[0].Width, "a sidecar has null width");
        }

        [Test]
        public void Generate_ReadsSeedsAbove2To31_AndIntegralPsi()
        {
            GenerateResult result = Cli(FakeProcessRunner.Answering(0, Samples.GenerateFacesHdr))
                .GenerateAsync(Request(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.AreEqual(2147483647L, result.Seed);
            Assert.AreEqual(1.0, result.Psi, 0.0);
            Assert.AreEqual(19, result.Outputs.Count);
        }

        [TestCase(Samples.ErrorNoModel, 3, "no_model")]
        [TestCase(Samples.ErrorUnknownCloud, 2, "unknown_cloud")]
        [TestCase(Samples.ErrorInvalidArgument, 2, "invalid_argument")]
        [TestCase(Samples.ErrorOutputExists, 4, "output_exists")]
        [TestCase(Samples.ErrorBundleNotFound, 3, "bundle_not_found")]
        public void ErrorAnswers_BecomeExceptionsWithTheCliCodeAndMessage(string stdout, int exitCode, string code)
        {
            SkyassetCliException error = Fails(FakeProcessRunner.Answering(exitCode, stdout));
            Assert.AreEqual(code, error.Code);
            Assert.AreEqual(exitCode, error.ExitCode);
            var parsed = (Dictionary<string, object>)((Dictionary<string, object>)Json.Parse(stdout))["error"];
            Assert.AreEqual(parsed["message"], error.Message);
        }

        [Test]
        public void MissingExecutable_IsExecutableNotFound()
        {
            SkyassetCliException error = Fails(FakeProcessRunner.Missing());
            Assert.AreEqual(SkyassetCliException.ExecutableNotFound, error.Code);
            StringAssert.Contains("/opt/sky asset/bin/skyasset", error.Message);
            StringAssert.Contains("Preferences", error.Message);
        }

        [Test]
        public void NoConfiguredExecutable_FailsWithoutRunning()
        {
            var runner = FakeProcessRunner.Answering(0, Samples.ClassesBuiltin);
            var cli = new SkyassetCli(runner, null, null, k_Timeout);
            var error = Assert.Throws<SkyassetCliException>(
                () => cli.GetClassesAsync(CancellationToken.None).GetAwaiter().GetResult());
            Assert.AreEqual(SkyassetCliException.ExecutableNotFound, error.Code);
            Assert.AreEqual(0, runner.Calls.Count);
        }

        [Test]
        public void Timeout_And_Cancel_HaveTheirOwnCodes()
        {
            SkyassetCliException timeout = Fails(FakeProcessRunner.Stopped(true));
            Assert.AreEqual(SkyassetCliException.Timeout, timeout.Code);
            StringAssert.Contains("30 s", timeout.Message);
            Assert.AreEqual(SkyassetCliException.Cancelled, Fails(FakeProcessRunner.Stopped(false)).Code);
        }

        [Test]
        public void CrashWithoutJson_ShowsStderr()
        {
            SkyassetCliException error = Fails(FakeProcessRunner.Answering(1, "",
                "Traceback (most recent call last):\nModuleNotFoundError: No module named 'onnxruntime'"));
            Assert.AreEqual(SkyassetCliException.BadResponse, error.Code);
            StringAssert.Contains("exit code 1", error.Message);
            StringAssert.Contains("onnxruntime", error.Message);
        }

        [Test]
        public void ExitZeroWithoutJson_IsBadResponse()
        {
            Assert.AreEqual(SkyassetCliException.BadResponse, Fails(FakeProcessRunner.Answering(0, "hello")).Code);
        }

        [Test]
        public void AnswerMissingARequiredKey_IsBadResponse()
        {
            string withoutFiles = Samples.GenerateEquirect.Replace("\"files\"", "\"filez\"");
            SkyassetCliException error = Fails(FakeProcessRunner.Answering(0, withoutFiles));
            Assert.AreEqual(SkyassetCliException.BadResponse, error.Code);
            StringAssert.Contains("'files'", error.Message);
        }

        [Test]
        public void StrayLineBeforeTheAnswer_IsTolerated()
        {
            GenerateResult result = Cli(FakeProcessRunner.Answering(0, "some warning\n" + Samples.GenerateEquirect))
                .GenerateAsync(Request(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.AreEqual("cumulus", result.CloudName);
        }

        [Test]
        public void Classes_BuiltinAndModel()
        {
            var runner = FakeProcessRunner.Answering(0, Samples.ClassesBuiltin);
            ClassList builtin = Cli(runner, "/m").GetClassesAsync(CancellationToken.None).GetAwaiter().GetResult();
            CollectionAssert.AreEqual(new[] { "classes", "--model", "/m", "--json" }, runner.Calls[0]);
            Assert.IsFalse(builtin.FromModel);
            Assert.AreEqual(2, builtin.Classes.Count);
            Assert.AreEqual("Ac", builtin.Classes[0].Code);
            Assert.AreEqual("altocumulus", builtin.Classes[0].Name);

            ClassList model = Cli(FakeProcessRunner.Answering(0, Samples.ClassesModel))
                .GetClassesAsync(CancellationToken.None).GetAwaiter().GetResult();
            Assert.IsTrue(model.FromModel);
            Assert.AreEqual("stratus", model.Classes[1].Name);
        }

        [Test]
        public void Version_ParsesTheVersionLine_AndRejectsOtherPrograms()
        {
            var runner = FakeProcessRunner.Answering(0, "skyasset 0.1.0\n");
            Assert.AreEqual("0.1.0", Cli(runner).GetVersionAsync(CancellationToken.None).GetAwaiter().GetResult());
            CollectionAssert.AreEqual(new[] { "--version" }, runner.Calls[0]);
            var error = Assert.Throws<SkyassetCliException>(() => Cli(FakeProcessRunner.Answering(0, "Python 3.11.2"))
                .GetVersionAsync(CancellationToken.None).GetAwaiter().GetResult());
            Assert.AreEqual(SkyassetCliException.BadResponse, error.Code);
        }
    }
}
