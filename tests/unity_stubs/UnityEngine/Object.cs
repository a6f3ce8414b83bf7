// Reference stub of the Unity API used by unity_package/ (Unity 2021.3 signatures). Compile-check only:
// every body throws; nothing here is shipped or loaded by Unity.
using System;

namespace UnityEngine
{
    [Flags]
    public enum HideFlags
    {
        None = 0,
        HideInHierarchy = 1,
        HideInInspector = 2,
        DontSaveInEditor = 4,
        NotEditable = 8,
        DontSaveInBuild = 16,
        DontUnloadUnusedAsset = 32,
        DontSave = 52,
        HideAndDontSave = 61,
    }

    public class Object
    {
        public string name { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public HideFlags hideFlags { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int GetInstanceID() { throw new NotImplementedException(); }
        public static void DestroyImmediate(Object obj) { throw new NotImplementedException(); }
        public static T[] FindObjectsOfType<T>() where T : Object { throw new NotImplementedException(); }
        public static T FindObjectOfType<T>() where T : Object { throw new NotImplementedException(); }
        public static void DestroyImmediate(Object obj, bool allowDestroyingAssets) { throw new NotImplementedException(); }
        public static bool operator ==(Object x, Object y) { return ReferenceEquals(x, y); }
        public static bool operator !=(Object x, Object y) { return !ReferenceEquals(x, y); }
        public static implicit operator bool(Object exists) { return !ReferenceEquals(exists, null); }
        public override bool Equals(object other) { return ReferenceEquals(this, other); }
        public override int GetHashCode() { return 0; }
    }

    public class ScriptableObject : Object
    {
        public static T CreateInstance<T>() where T : ScriptableObject { throw new NotImplementedException(); }
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute
    {
    }
}
