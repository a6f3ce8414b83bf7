// Runs the package's bridge (SkyassetCli + SystemProcessRunner + ResponseParser) outside Unity, under Mono,
// against a real executable, so tests/test_unity_csharp.py can check quoting, parsing and errors end to end.
// Prints "key=value" lines. Not part of the Unity package.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Skyasset.Editor;

static class BridgeHarness
{
    static int Main(string[] args)
    {
        Console.OutputEncoding = new System.Text.UTF8Encoding(false);
        string mode = args[0];
        string exe = args[1];
        try
        {
            switch (mode)
            {
                case "argv":
                {
                    var rest = new List<string>(args).GetRange(2, args.Length - 2);
                    ProcessResult run = new SystemProcessRunner()
                        .RunAsync(exe, rest, TimeSpan.FromSeconds(60), CancellationToken.None).Result;
                    Console.WriteLine("exit=" + run.ExitCode);
                    Console.WriteLine("stdout=" + run.Stdout.Trim());
                    return 0;
                }
                case "version":
                    Console.WriteLine("version=" + Cli(exe, null, 60).GetVersionAsync(CancellationToken.None).Result);
                    return 0;
                case "classes":
                {
                    ClassList list = Cli(exe, args.Length > 2 ? args[2] : null, 60)
                        .GetClassesAsync(CancellationToken.None).Result;
                    Console.WriteLine("from_model=" + list.FromModel);
                    foreach (CloudClass c in list.Classes)
                        Console.WriteLine("class=" + c.Code + "|" + c.Name + "|" + c.Description);
                    return 0;
                }
                case "generate":
                {
                    var request = new GenerateRequest
                    {
                        Cloud = args[3],
                        Seed = long.Parse(args[4], CultureInfo.InvariantCulture),
                        Layout = args[5],
                        Size = int.Parse(args[6], CultureInfo.InvariantCulture),
                        Hdr = Array.IndexOf(args, "hdr", 8) >= 0,
                    };
                    if (Array.IndexOf(args, "folder", 8) >= 0)
                        request.OutputFolder = args[7];  // --out-dir: the CLI names the files
                    else
                        request.OutputPath = args[7];
                    for (int i = 8; i < args.Length; i++)
                        if (args[i].StartsWith("upscale=", StringComparison.Ordinal))
                            request.Upscale = args[i].Substring("upscale=".Length);
                    GenerateResult r = Cli(exe, args[2], 120).GenerateAsync(request, CancellationToken.None).Result;
                    Console.WriteLine("stem=" + r.Stem);
                    Console.WriteLine("cloud=" + r.Cloud);
                    Console.WriteLine("cloud_name=" + r.CloudName);
                    Console.WriteLine("seed=" + r.Seed.ToString(CultureInfo.InvariantCulture));
                    Console.WriteLine("psi=" + r.Psi.ToString("R", CultureInfo.InvariantCulture));
                    Console.WriteLine("layout=" + r.Layout);
                    Console.WriteLine("size=" + r.Width + "x" + r.Height);
                    Console.WriteLine("hdr=" + r.Hdr);
                    Console.WriteLine("model_id=" + r.ModelId);
                    foreach (OutputFile f in r.Files)
                        Console.WriteLine("file=" + f.Role + "|" + f.Format + "|" + f.Width + "|" + f.Height + "|" + f.Path);
                    foreach (SkyLayout layout in Enum.GetValues(typeof(SkyLayout)))
                    {
                        LayoutPlan plan = LayoutPlan.For(layout);
                        if (plan.CliLayout != r.Layout)
                            continue;
                        foreach (KeyValuePair<string, OutputFile> pick in plan.PickFiles(r, request.Hdr))
                            Console.WriteLine("pick=" + layout + "|" + plan.Slots[pick.Key] + "|" + pick.Value.Path);
                    }
                    return 0;
                }
                case "timeout":
                {
                    var cli = new SkyassetCli(new SystemProcessRunner(), exe, null,
                        TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)));
                    cli.GetClassesAsync(CancellationToken.None).Wait();
                    return 0;
                }
                case "cancel":
                {
                    var cli = new SkyassetCli(new SystemProcessRunner(), exe, null, TimeSpan.FromSeconds(60));
                    var source = new CancellationTokenSource();
                    source.CancelAfter(TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)));
                    cli.GetClassesAsync(source.Token).Wait();
                    return 0;
                }
                default:
                    Console.WriteLine("unknown mode " + mode);
                    return 64;
            }
        }
        catch (AggregateException wrapped)
        {
            var error = wrapped.InnerException as SkyassetCliException;
            if (error == null)
                throw;
            Console.WriteLine("error.code=" + error.Code);
            Console.WriteLine("error.exit=" + error.ExitCode);
            Console.WriteLine("error.message=" + error.Message.Replace("\n", "\\n"));
            return 1;
        }
    }

    static SkyassetCli Cli(string exe, string model, int timeoutSeconds)
    {
        return new SkyassetCli(new SystemProcessRunner(), exe, model, TimeSpan.FromSeconds(timeoutSeconds));
    }
}
