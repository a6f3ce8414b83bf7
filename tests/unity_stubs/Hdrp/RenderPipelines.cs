// Reference stub of the Core RP (UnityEngine.Rendering) and HDRP (UnityEngine.Rendering.HighDefinition) API used by
// unity_package/Editor/Hdrp (HDRP 12 / Unity 2021.3 signatures). Compile-check only: every body throws; fields
// are declared as in HDRP (public fields of parameter objects) and never initialised here.
using System;

namespace UnityEngine.Rendering
{
    public abstract class VolumeParameter
    {
        public bool overrideState { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class VolumeParameter<T> : VolumeParameter
    {
        public VolumeParameter(T value, bool overrideState) { throw new NotImplementedException(); }
        public virtual T value { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public void Override(T x) { throw new NotImplementedException(); }
    }

    public class IntParameter : VolumeParameter<int>
    {
        public IntParameter(int value, bool overrideState = false) : base(value, overrideState) { }
    }

    public class FloatParameter : VolumeParameter<float>
    {
        public FloatParameter(float value, bool overrideState = false) : base(value, overrideState) { }
    }

    public class MinFloatParameter : FloatParameter
    {
        public MinFloatParameter(float value, float min, bool overrideState = false) : base(value, overrideState) { }
    }

    public class ClampedFloatParameter : FloatParameter
    {
        public ClampedFloatParameter(float value, float min, float max, bool overrideState = false) : base(value, overrideState) { }
    }

    public class CubemapParameter : VolumeParameter<Cubemap>
    {
        public CubemapParameter(Cubemap value, bool overrideState = false) : base(value, overrideState) { }
    }

    public class VolumeComponent : ScriptableObject
    {
        public bool active { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public sealed class VolumeProfile : ScriptableObject
    {
        public T Add<T>(bool overrides = false) where T : VolumeComponent { throw new NotImplementedException(); }
        public bool TryGet<T>(out T component) where T : VolumeComponent { throw new NotImplementedException(); }
    }

    public class Volume : Behaviour
    {
        public bool isGlobal { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public float priority { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public VolumeProfile sharedProfile { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }
}

namespace UnityEngine.Rendering.HighDefinition
{
    public enum SkyType
    {
        HDRI = 1,
        Procedural = 2,
        Gradient = 3,
        PhysicallyBased = 4,
    }

    public abstract class SkySettings : VolumeComponent
    {
        public ClampedFloatParameter rotation;
        public FloatParameter exposure;
        public MinFloatParameter multiplier;
    }

    public class HDRISky : SkySettings
    {
        public CubemapParameter hdriSky;
    }

    public sealed class VisualEnvironment : VolumeComponent
    {
        public IntParameter skyType;
    }

    public class StaticLightingSky : MonoBehaviour
    {
        public VolumeProfile profile { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public int staticLightingSkyUniqueID { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }
}
