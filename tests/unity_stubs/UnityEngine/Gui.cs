using System;

namespace UnityEngine
{
    public struct Vector2
    {
        public float x;
        public float y;
        public Vector2(float x, float y) { this.x = x; this.y = y; }
    }

    public struct Rect
    {
        public Rect(float x, float y, float width, float height) { throw new NotImplementedException(); }
        public float x { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public float y { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public float width { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public float height { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public enum ScaleMode
    {
        StretchToFill = 0,
        ScaleAndCrop = 1,
        ScaleToFit = 2,
    }

    public class GUIContent
    {
        public GUIContent() { }
        public GUIContent(string text) { throw new NotImplementedException(); }
        public GUIContent(string text, string tooltip) { throw new NotImplementedException(); }
        public GUIContent(Texture image) { throw new NotImplementedException(); }
        public string text { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public string tooltip { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public sealed class GUIStyle
    {
    }

    public sealed class GUILayoutOption
    {
        internal GUILayoutOption() { }
    }

    public class GUI
    {
        public static bool enabled { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public static void DrawTexture(Rect position, Texture image) { throw new NotImplementedException(); }
        public static void DrawTexture(Rect position, Texture image, ScaleMode scaleMode) { throw new NotImplementedException(); }
        public static void Box(Rect position, string text) { throw new NotImplementedException(); }
        public static void Box(Rect position, GUIContent content) { throw new NotImplementedException(); }
    }

    public class GUILayout
    {
        public static bool Button(string text, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static bool Button(GUIContent content, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static GUILayoutOption Width(float width) { throw new NotImplementedException(); }
        public static GUILayoutOption Height(float height) { throw new NotImplementedException(); }
        public static void FlexibleSpace() { throw new NotImplementedException(); }
    }

    public class GUILayoutUtility
    {
        public static Rect GetRect(float width, float height, params GUILayoutOption[] options) { throw new NotImplementedException(); }
    }
}
