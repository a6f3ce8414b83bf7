using System;

namespace UnityEngine
{
    public struct Vector3
    {
        public float x;
        public float y;
        public float z;
        public Vector3(float x, float y, float z) { throw new NotImplementedException(); }
    }

    public struct Quaternion
    {
        public static Quaternion LookRotation(Vector3 forward) { throw new NotImplementedException(); }
    }

    public class Component : Object
    {
        public Transform transform { get { throw new NotImplementedException(); } }
        public GameObject gameObject { get { throw new NotImplementedException(); } }
        public T GetComponent<T>() { throw new NotImplementedException(); }
    }

    public class Transform : Component
    {
        public Quaternion rotation { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class Behaviour : Component
    {
        public bool enabled { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class MonoBehaviour : Behaviour
    {
    }

    public enum LightType
    {
        Spot = 0,
        Directional = 1,
        Point = 2,
    }

    public sealed class Light : Behaviour
    {
        public LightType type { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public float intensity { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public sealed class GameObject : Object
    {
        public GameObject(string name) { throw new NotImplementedException(); }
        public Transform transform { get { throw new NotImplementedException(); } }
        public T AddComponent<T>() where T : Component { throw new NotImplementedException(); }
        public T GetComponent<T>() { throw new NotImplementedException(); }
        public static GameObject Find(string name) { throw new NotImplementedException(); }
    }
}
