using System;
using System.Collections.Generic;
using System.Text;

namespace Skyasset.Editor
{
    /// <summary>How the runtime turns <c>ProcessStartInfo.Arguments</c> back into an argv array.</summary>
    internal enum CommandLineStyle
    {
        /// <summary>Windows (CreateProcess + CommandLineToArgvW), and .NET (CoreCLR) on every OS.</summary>
        Windows,

        /// <summary>Mono on macOS and Linux (the Unity editor there): eglib's g_shell_parse_argv, where a
        /// backslash inside double quotes escapes <c>\</c>, <c>"</c>, <c>$</c> and backquote.</summary>
        MonoUnix,
    }

    /// <summary>
    /// Builds one <c>Arguments</c> string from separate arguments so that the child process receives
    /// exactly those strings, spaces, quotes and non-ASCII characters included.
    /// (.NET Framework and Mono have no <c>ProcessStartInfo.ArgumentList</c>.)
    /// </summary>
    internal static class CommandLine
    {
        /// <summary>The style of the runtime this code runs in.</summary>
        public static CommandLineStyle CurrentStyle
        {
            get
            {
                bool windows = Environment.OSVersion.Platform == PlatformID.Win32NT;
                bool mono = Type.GetType("Mono.Runtime") != null;
                return !windows && mono ? CommandLineStyle.MonoUnix : CommandLineStyle.Windows;
            }
        }

        /// <summary>Joins <paramref name="arguments"/> with spaces, each quoted for <paramref name="style"/>.</summary>
        public static string Join(IList<string> arguments, CommandLineStyle style)
        {
            var builder = new StringBuilder();
            for (int i = 0; i < arguments.Count; i++)
            {
                if (i > 0)
                    builder.Append(' ');
                if (arguments[i] == null)
                    throw new ArgumentException("Argument " + i + " is null.", "arguments");
                if (style == CommandLineStyle.Windows)
                    AppendWindows(builder, arguments[i]);
                else
                    AppendMonoUnix(builder, arguments[i]);
            }
            return builder.ToString();
        }

        static bool NeedsQuotes(string argument)
        {
            if (argument.Length == 0)
                return true;
            foreach (char c in argument)
            {
                if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '"' || c == '\\' || c == '\'')
                    return true;
            }
            return false;
        }

        // CommandLineToArgvW: 2n backslashes before a quote give n backslashes, 2n+1 give n and a literal
        // quote; backslashes anywhere else are literal.
        static void AppendWindows(StringBuilder builder, string argument)
        {
            if (!NeedsQuotes(argument))
            {
                builder.Append(argument);
                return;
            }
            builder.Append('"');
            int backslashes = 0;
            foreach (char c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }
                if (c == '"')
                {
                    builder.Append('\\', backslashes * 2 + 1);
                    builder.Append('"');
                }
                else
                {
                    builder.Append('\\', backslashes);
                    builder.Append(c);
                }
                backslashes = 0;
            }
            builder.Append('\\', backslashes * 2);
            builder.Append('"');
        }

        // eglib g_shell_parse_argv: inside double quotes, \\ and \" are escapes; $ and ` are taken literally
        // when not escaped, so they are left alone.
        static void AppendMonoUnix(StringBuilder builder, string argument)
        {
            if (!NeedsQuotes(argument))
            {
                builder.Append(argument);
                return;
            }
            builder.Append('"');
            foreach (char c in argument)
            {
                if (c == '\\' || c == '"')
                    builder.Append('\\');
                builder.Append(c);
            }
            builder.Append('"');
        }
    }
}
