// Reference stub of the UnityEditor API used by unity_package/ (Unity 2021.3 signatures). Compile-check only.
using System;
using System.Collections.Generic;
using UnityEngine;
using Object = UnityEngine.Object;

namespace UnityEditor
{
    public enum MessageType
    {
        None = 0,
        Info = 1,
        Warning = 2,
        Error = 3,
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class MenuItem : Attribute
    {
        public MenuItem(string itemName) { }
        public MenuItem(string itemName, bool isValidateFunction) { }
        public MenuItem(string itemName, bool isValidateFunction, int priority) { }
    }

    public class EditorWindow : ScriptableObject
    {
        public static T GetWindow<T>(string title) where T : EditorWindow { throw new NotImplementedException(); }
        public Vector2 minSize { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public GUIContent titleContent { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public void Show() { throw new NotImplementedException(); }
        public void Close() { throw new NotImplementedException(); }
        public void Repaint() { throw new NotImplementedException(); }
    }

    public sealed class EditorApplication
    {
        public delegate void CallbackFunction();
        public static CallbackFunction update;
        public static CallbackFunction delayCall;
    }

    public sealed class EditorPrefs
    {
        public static string GetString(string key) { throw new NotImplementedException(); }
        public static string GetString(string key, string defaultValue) { throw new NotImplementedException(); }
        public static void SetString(string key, string value) { throw new NotImplementedException(); }
        public static int GetInt(string key) { throw new NotImplementedException(); }
        public static int GetInt(string key, int defaultValue) { throw new NotImplementedException(); }
        public static void SetInt(string key, int value) { throw new NotImplementedException(); }
    }

    public sealed class EditorStyles
    {
        public static GUIStyle boldLabel { get { throw new NotImplementedException(); } }
        public static GUIStyle wordWrappedLabel { get { throw new NotImplementedException(); } }
    }

    public class EditorGUI
    {
        public static void ProgressBar(Rect position, float value, string text) { throw new NotImplementedException(); }

        public struct DisabledScope : IDisposable
        {
            public DisabledScope(bool disabled) { throw new NotImplementedException(); }
            public void Dispose() { throw new NotImplementedException(); }
        }
    }

    public class EditorGUILayout
    {
        public static Rect BeginHorizontal(params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static void EndHorizontal() { throw new NotImplementedException(); }
        public static void Space() { throw new NotImplementedException(); }
        public static Rect GetControlRect(bool hasLabel, float height, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static void HelpBox(string message, MessageType type) { throw new NotImplementedException(); }
        public static void LabelField(string label, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static void LabelField(string label, GUIStyle style, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static string TextField(string label, string text, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static string TextField(GUIContent label, string text, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static int IntField(string label, int value, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static int IntField(GUIContent label, int value, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static long LongField(string label, long value, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static float Slider(string label, float value, float leftValue, float rightValue, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static float Slider(GUIContent label, float value, float leftValue, float rightValue, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static bool Toggle(string label, bool value, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static bool Toggle(GUIContent label, bool value, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static int Popup(string label, int selectedIndex, string[] displayedOptions, params GUILayoutOption[] options) { throw new NotImplementedException(); }
        public static int IntPopup(string label, int selectedValue, string[] displayedOptions, int[] optionValues, params GUILayoutOption[] options) { throw new NotImplementedException(); }
    }

    public sealed class EditorUtility
    {
        public static bool DisplayDialog(string title, string message, string ok) { throw new NotImplementedException(); }
        public static bool DisplayDialog(string title, string message, string ok, string cancel) { throw new NotImplementedException(); }
        public static string OpenFilePanel(string title, string directory, string extension) { throw new NotImplementedException(); }
        public static string OpenFolderPanel(string title, string folder, string defaultName) { throw new NotImplementedException(); }
        public static void SetDirty(Object target) { throw new NotImplementedException(); }
    }

    public class Selection
    {
        public static Object activeObject { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public static class Lightmapping
    {
        public static bool BakeReflectionProbe(ReflectionProbe probe, string path) { throw new NotImplementedException(); }
    }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class InitializeOnLoadAttribute : Attribute
    {
    }

    public class Undo
    {
        public static void RecordObject(Object objectToUndo, string name) { throw new NotImplementedException(); }
        public static void RegisterCreatedObjectUndo(Object objectToUndo, string name) { throw new NotImplementedException(); }
        public static T AddComponent<T>(GameObject gameObject) where T : Component { throw new NotImplementedException(); }
        public static int GetCurrentGroup() { throw new NotImplementedException(); }
        public static void SetCurrentGroupName(string name) { throw new NotImplementedException(); }
        public static void CollapseUndoOperations(int groupIndex) { throw new NotImplementedException(); }
    }

    public enum SettingsScope
    {
        User = 0,
        Project = 1,
    }

    public class SettingsProvider
    {
        public SettingsProvider(string path, SettingsScope scopes, IEnumerable<string> keywords = null) { throw new NotImplementedException(); }
        public virtual void OnGUI(string searchContext) { throw new NotImplementedException(); }
        public void Repaint() { throw new NotImplementedException(); }
    }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SettingsProviderAttribute : Attribute
    {
    }

    public sealed class SettingsService
    {
        public static EditorWindow OpenUserPreferences(string settingsPath = null) { throw new NotImplementedException(); }
        public static EditorWindow OpenProjectSettings(string settingsPath = null) { throw new NotImplementedException(); }
    }
}

namespace UnityEditor.SceneManagement
{
    public sealed class EditorSceneManager : UnityEngine.SceneManagement.SceneManager
    {
        public static bool MarkSceneDirty(UnityEngine.SceneManagement.Scene scene) { throw new NotImplementedException(); }
    }
}
