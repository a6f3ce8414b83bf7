using System;
using System.Collections.Generic;
using System.Globalization;

namespace Skyasset.Editor
{
    /// <summary>
    /// Turns a finished CLI process into an answer object or a <see cref="SkyassetCliException"/>
    /// (docs/CLI_PROTOCOL.md). Every key read here is pinned by tests/test_unity_protocol.py against
    /// Documentation~/protocol.schema.json: <c>Require*</c> keys must be present with that type,
    /// <c>Nullable*</c> keys must be present and may be null, <c>Optional*</c> keys may be absent.
    /// </summary>
    internal static class ResponseParser
    {
        const int k_StderrTail = 1200;

        /// <summary>The one JSON object of a successful answer.</summary>
        /// <exception cref="SkyassetCliException">Error answer, timeout, cancel, or not the protocol.</exception>
        public static Dictionary<string, object> ParseAnswer(ProcessResult result, string command, TimeSpan timeout)
        {
            if (result.Cancelled)
                throw new SkyassetCliException(SkyassetCliException.Cancelled, "Cancelled.", -1, result.Stderr);
            if (result.TimedOut)
                throw new SkyassetCliException(SkyassetCliException.Timeout, string.Format(CultureInfo.InvariantCulture,
                    "`skyasset {0}` did not finish within {1:0.#} s and was stopped. A large --size on a slow CPU can " +
                    "take longer: raise the timeout in Preferences > skyasset.", command, timeout.TotalSeconds),
                    -1, result.Stderr);

            Dictionary<string, object> answer = FindJsonObject(result.Stdout);
            if (answer != null && answer.ContainsKey("error"))
            {
                Dictionary<string, object> error = RequireObject(answer, "error");
                throw new SkyassetCliException(RequireString(error, "code"), RequireString(error, "message"),
                    result.ExitCode, result.Stderr);
            }
            if (result.ExitCode != 0)
                throw new SkyassetCliException(SkyassetCliException.BadResponse, string.Format(
                    CultureInfo.InvariantCulture, "`skyasset {0}` failed with exit code {1} and no JSON error.{2}",
                    command, result.ExitCode, StderrTail(result.Stderr)), result.ExitCode, result.Stderr);
            if (answer == null)
                throw new SkyassetCliException(SkyassetCliException.BadResponse, "`skyasset " + command +
                    "` answered without a JSON object on stdout: is the configured executable skyasset, and is it " +
                    "up to date?" + StderrTail(result.Stderr), result.ExitCode, result.Stderr);
            return answer;
        }

        /// <summary>"skyasset 0.1.0" from <c>skyasset --version</c> -> "0.1.0".</summary>
        public static string ParseVersion(ProcessResult result, TimeSpan timeout)
        {
            if (result.Cancelled || result.TimedOut)
                ParseAnswer(result, "--version", timeout); // throws the matching error
            string text = result.Stdout.Trim();
            const string prefix = "skyasset ";
            if (result.ExitCode != 0 || !text.StartsWith(prefix, StringComparison.Ordinal))
                throw new SkyassetCliException(SkyassetCliException.BadResponse, string.Format(
                    CultureInfo.InvariantCulture, "`--version` answered '{0}' (exit code {1}), not 'skyasset X.Y.Z': " +
                    "the configured executable is not skyasset.{2}", Shorten(text, 200), result.ExitCode,
                    StderrTail(result.Stderr)), result.ExitCode, result.Stderr);
            return text.Substring(prefix.Length).Trim();
        }

        /// <summary><c>{"classes": [{"code", "name", "description"}], "source": "model"|"builtin"}</c>.</summary>
        public static ClassList ParseClasses(Dictionary<string, object> answer)
        {
            var classes = new List<CloudClass>();
            foreach (object item in RequireArray(answer, "classes"))
            {
                Dictionary<string, object> entry = AsObject(item, "classes[]");
                classes.Add(new CloudClass(RequireString(entry, "code"), RequireString(entry, "name"),
                    RequireString(entry, "description")));
            }
            string source = RequireString(answer, "source");
            if (source != "model" && source != "builtin")
                throw Bad("'source' is '" + source + "', expected 'model' or 'builtin'");
            return new ClassList(classes, source == "model");
        }

        /// <summary>The generate (or convert) answer.</summary>
        public static GenerateResult ParseGenerate(Dictionary<string, object> answer)
        {
            var outputs = new List<string>();
            foreach (object item in RequireArray(answer, "outputs"))
                outputs.Add(AsString(item, "outputs[]"));
            var files = new List<OutputFile>();
            foreach (object item in RequireArray(answer, "files"))
            {
                Dictionary<string, object> entry = AsObject(item, "files[]");
                files.Add(new OutputFile(RequireString(entry, "path"), RequireString(entry, "role"),
                    RequireString(entry, "format"), NullableInt(entry, "width"), NullableInt(entry, "height")));
            }
            List<object> size = RequireArray(answer, "size");
            if (size.Count != 2)
                throw Bad("'size' must be [width, height]");
            Dictionary<string, object> model = RequireObject(answer, "model");
            Dictionary<string, object> timings = RequireObject(answer, "timings");
            var result = new GenerateResult(outputs, files,
                NullableString(answer, "cloud"), NullableString(answer, "cloud_name"),
                RequireLong(answer, "seed"), RequireDouble(answer, "psi"), RequireString(answer, "layout"),
                (int)AsLong(size[0], "size[0]"), (int)AsLong(size[1], "size[1]"), RequireBool(answer, "hdr"),
                RequireString(model, "model_id"), RequireDouble(timings, "total_s"));
            result.Stem = RequireString(answer, "stem");
            object sun;
            if (answer.TryGetValue("sun", out sun) && sun != null)
            {
                Dictionary<string, object> entry = AsObject(sun, "sun");
                bool distinct = RequireBool(entry, "distinct");
                bool present = entry.ContainsKey("present") ? RequireBool(entry, "present") : distinct;
                double irradiance = entry.ContainsKey("irradiance") ? RequireDouble(entry, "irradiance") : -1.0;
                result.Sun = new SunPosition(RequireDouble(entry, "u"), RequireDouble(entry, "v"),
                    RequireDouble(entry, "elevation_deg"), distinct, present, irradiance);
            }
            return result;
        }

        /// <summary>The object on stdout: the whole text, else its last non-empty line (tolerates a stray print).</summary>
        internal static Dictionary<string, object> FindJsonObject(string stdout)
        {
            string text = stdout.Trim();
            if (text.Length == 0)
                return null;
            Dictionary<string, object> whole = TryParseObject(text);
            if (whole != null)
                return whole;
            string[] lines = text.Split('\n');
            return TryParseObject(lines[lines.Length - 1].Trim());
        }

        static Dictionary<string, object> TryParseObject(string text)
        {
            try
            {
                return Json.Parse(text) as Dictionary<string, object>;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        static string StderrTail(string stderr)
        {
            string text = stderr.Trim();
            if (text.Length == 0)
                return string.Empty;
            if (text.Length > k_StderrTail)
                text = "..." + text.Substring(text.Length - k_StderrTail);
            return "\n\nstderr:\n" + text;
        }

        static string Shorten(string text, int length)
        {
            return text.Length <= length ? text : text.Substring(0, length) + "...";
        }

        static SkyassetCliException Bad(string what)
        {
            return new SkyassetCliException(SkyassetCliException.BadResponse,
                "The skyasset answer does not follow the protocol: " + what + ". Update the skyasset CLI or this " +
                "package so their versions match.", 0, string.Empty);
        }

        static object Require(Dictionary<string, object> obj, string key)
        {
            object value;
            if (!obj.TryGetValue(key, out value))
                throw Bad("key '" + key + "' is missing");
            return value;
        }

        internal static string RequireString(Dictionary<string, object> obj, string key)
        {
            return AsString(Require(obj, key), key);
        }

        internal static string NullableString(Dictionary<string, object> obj, string key)
        {
            object value = Require(obj, key);
            return value == null ? null : AsString(value, key);
        }

        internal static long RequireLong(Dictionary<string, object> obj, string key)
        {
            return AsLong(Require(obj, key), key);
        }

        internal static int NullableInt(Dictionary<string, object> obj, string key)
        {
            object value = Require(obj, key);
            return value == null ? 0 : (int)AsLong(value, key);
        }

        internal static double RequireDouble(Dictionary<string, object> obj, string key)
        {
            object value = Require(obj, key);
            if (value is long)
                return (long)value;
            if (value is double)
                return (double)value;
            throw Bad("'" + key + "' is not a number");
        }

        internal static bool RequireBool(Dictionary<string, object> obj, string key)
        {
            object value = Require(obj, key);
            if (!(value is bool))
                throw Bad("'" + key + "' is not true/false");
            return (bool)value;
        }

        internal static List<object> RequireArray(Dictionary<string, object> obj, string key)
        {
            var value = Require(obj, key) as List<object>;
            if (value == null)
                throw Bad("'" + key + "' is not an array");
            return value;
        }

        internal static Dictionary<string, object> RequireObject(Dictionary<string, object> obj, string key)
        {
            return AsObject(Require(obj, key), key);
        }

        static Dictionary<string, object> AsObject(object value, string what)
        {
            var result = value as Dictionary<string, object>;
            if (result == null)
                throw Bad("'" + what + "' is not an object");
            return result;
        }

        static string AsString(object value, string what)
        {
            var result = value as string;
            if (result == null)
                throw Bad("'" + what + "' is not a string");
            return result;
        }

        static long AsLong(object value, string what)
        {
            if (!(value is long))
                throw Bad("'" + what + "' is not an integer");
            return (long)value;
        }
    }
}
