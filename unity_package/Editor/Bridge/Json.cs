using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Skyasset.Editor
{
    /// <summary>
    /// A small strict JSON reader for the CLI's one-line answers (RFC 8259). JsonUtility cannot read
    /// them: they hold nulls, nested objects with optional keys and mixed-type arrays.
    /// Objects become <c>Dictionary&lt;string, object&gt;</c>, arrays <c>List&lt;object&gt;</c>, numbers
    /// <c>long</c> when integral and in range, else <c>double</c>; strings, bools and null as themselves.
    /// </summary>
    internal static class Json
    {
        /// <summary>Parses one JSON value; surrounding whitespace is allowed, trailing text is not.</summary>
        /// <exception cref="FormatException">The text is not one valid JSON value.</exception>
        public static object Parse(string text)
        {
            if (text == null)
                throw new FormatException("No JSON text (null).");
            var reader = new Reader(text);
            reader.SkipWhitespace();
            object value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (!reader.AtEnd)
                throw reader.Error("unexpected text after the JSON value");
            return value;
        }

        sealed class Reader
        {
            const int k_MaxDepth = 64;
            readonly string m_Text;
            int m_Pos;

            public Reader(string text)
            {
                m_Text = text;
            }

            public bool AtEnd
            {
                get { return m_Pos >= m_Text.Length; }
            }

            public FormatException Error(string what)
            {
                return new FormatException(string.Format(CultureInfo.InvariantCulture,
                    "Invalid JSON at character {0}: {1}.", m_Pos, what));
            }

            public void SkipWhitespace()
            {
                while (m_Pos < m_Text.Length)
                {
                    char c = m_Text[m_Pos];
                    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                        return;
                    m_Pos++;
                }
            }

            public object ReadValue(int depth)
            {
                if (depth > k_MaxDepth)
                    throw Error("nesting deeper than " + k_MaxDepth);
                if (AtEnd)
                    throw Error("unexpected end of text");
                char c = m_Text[m_Pos];
                switch (c)
                {
                    case '{': return ReadObject(depth);
                    case '[': return ReadArray(depth);
                    case '"': return ReadString();
                    case 't': ExpectWord("true"); return true;
                    case 'f': ExpectWord("false"); return false;
                    case 'n': ExpectWord("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9'))
                            return ReadNumber();
                        throw Error("unexpected character '" + c + "'");
                }
            }

            void ExpectWord(string word)
            {
                if (string.CompareOrdinal(m_Text, m_Pos, word, 0, word.Length) != 0)
                    throw Error("expected '" + word + "'");
                m_Pos += word.Length;
            }

            Dictionary<string, object> ReadObject(int depth)
            {
                var result = new Dictionary<string, object>(StringComparer.Ordinal);
                m_Pos++; // '{'
                SkipWhitespace();
                if (!AtEnd && m_Text[m_Pos] == '}')
                {
                    m_Pos++;
                    return result;
                }
                while (true)
                {
                    SkipWhitespace();
                    if (AtEnd || m_Text[m_Pos] != '"')
                        throw Error("expected a string key");
                    string key = ReadString();
                    SkipWhitespace();
                    if (AtEnd || m_Text[m_Pos] != ':')
                        throw Error("expected ':' after a key");
                    m_Pos++;
                    SkipWhitespace();
                    result[key] = ReadValue(depth + 1);
                    SkipWhitespace();
                    if (AtEnd)
                        throw Error("unterminated object");
                    char c = m_Text[m_Pos++];
                    if (c == '}')
                        return result;
                    if (c != ',')
                        throw Error("expected ',' or '}' in an object");
                }
            }

            List<object> ReadArray(int depth)
            {
                var result = new List<object>();
                m_Pos++; // '['
                SkipWhitespace();
                if (!AtEnd && m_Text[m_Pos] == ']')
                {
                    m_Pos++;
                    return result;
                }
                while (true)
                {
                    SkipWhitespace();
                    result.Add(ReadValue(depth + 1));
                    SkipWhitespace();
                    if (AtEnd)
                        throw Error("unterminated array");
                    char c = m_Text[m_Pos++];
                    if (c == ']')
                        return result;
                    if (c != ',')
                        throw Error("expected ',' or ']' in an array");
                }
            }

            string ReadString()
            {
                m_Pos++; // opening quote
                var builder = new StringBuilder();
                while (true)
                {
                    if (AtEnd)
                        throw Error("unterminated string");
                    char c = m_Text[m_Pos++];
                    if (c == '"')
                        return builder.ToString();
                    if (c < ' ')
                        throw Error("control character in a string");
                    if (c != '\\')
                    {
                        builder.Append(c);
                        continue;
                    }
                    if (AtEnd)
                        throw Error("unterminated escape");
                    char e = m_Text[m_Pos++];
                    switch (e)
                    {
                        case '"': builder.Append('"'); break;
                        case '\\': builder.Append('\\'); break;
                        case '/': builder.Append('/'); break;
                        case 'b': builder.Append('\b'); break;
                        case 'f': builder.Append('\f'); break;
                        case 'n': builder.Append('\n'); break;
                        case 'r': builder.Append('\r'); break;
                        case 't': builder.Append('\t'); break;
                        case 'u': builder.Append(ReadHex4()); break;
                        default: throw Error("unknown escape '\\" + e + "'");
                    }
                }
            }

            char ReadHex4()
            {
                if (m_Pos + 4 > m_Text.Length)
                    throw Error("short \\u escape");
                int code;
                if (!int.TryParse(m_Text.Substring(m_Pos, 4), NumberStyles.AllowHexSpecifier,
                        CultureInfo.InvariantCulture, out code))
                    throw Error("bad \\u escape");
                m_Pos += 4;
                return (char)code; // surrogate pairs arrive as two escapes and join in the StringBuilder
            }

            object ReadNumber()
            {
                int start = m_Pos;
                bool integral = true;
                if (m_Text[m_Pos] == '-')
                    m_Pos++;
                if (AtEnd)
                    throw Error("bad number");
                if (m_Text[m_Pos] == '0')
                    m_Pos++;
                else if (!ReadDigits())
                    throw Error("bad number");
                if (!AtEnd && m_Text[m_Pos] == '.')
                {
                    integral = false;
                    m_Pos++;
                    if (!ReadDigits())
                        throw Error("digits expected after '.'");
                }
                if (!AtEnd && (m_Text[m_Pos] == 'e' || m_Text[m_Pos] == 'E'))
                {
                    integral = false;
                    m_Pos++;
                    if (!AtEnd && (m_Text[m_Pos] == '+' || m_Text[m_Pos] == '-'))
                        m_Pos++;
                    if (!ReadDigits())
                        throw Error("digits expected in the exponent");
                }
                string token = m_Text.Substring(start, m_Pos - start);
                long asLong;
                if (integral && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                        out asLong))
                    return asLong;
                return double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            bool ReadDigits()
            {
                int start = m_Pos;
                while (!AtEnd && m_Text[m_Pos] >= '0' && m_Text[m_Pos] <= '9')
                    m_Pos++;
                return m_Pos > start;
            }
        }
    }
}
