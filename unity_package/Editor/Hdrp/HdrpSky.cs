using UnityEditor;
using UnityEditor.SceneManagement;
using UnityEngine;
using UnityEngine.Rendering;
using UnityEngine.Rendering.HighDefinition;
using UnityEngine.SceneManagement;

namespace Skyasset.Editor.Hdrp
{
    /// <summary>
    /// HDRP's sky in one step, instead of the four manual ones: a global Volume "skyasset Sky" whose profile has a
    /// Visual Environment override (sky type HDRI Sky) and an HDRI Sky override holding the cubemap, with its
    /// multiplier and rotation from the window; the same profile lights baked GI (the scene's Static Lighting Sky,
    /// added to the volume's object only if the scene has none). An
    /// existing "skyasset Sky" volume and its profile are reused, so Apply again only swaps the cubemap. One Undo
    /// step; the profile is an asset next to the skies.
    /// </summary>
    [InitializeOnLoad]
    internal static class HdrpSky
    {
        public const string VolumeName = "skyasset Sky";
        const string ProfileName = "skyasset Sky Profile.asset";

        static HdrpSky()
        {
            SkyEnvironment.Register(Apply);
        }

        public static string Apply(Cubemap sky, float exposure, float rotation, string profileFolder)
        {
            int group = Undo.GetCurrentGroup();
            Undo.SetCurrentGroupName("Apply skyasset HDRI sky");
            GameObject holder = GameObject.Find(VolumeName);
            bool created = holder == null;
            if (created)
            {
                holder = new GameObject(VolumeName);
                Undo.RegisterCreatedObjectUndo(holder, "Create skyasset sky volume");
            }
            Volume volume = holder.GetComponent<Volume>();
            if (volume == null)
            {
                volume = Undo.AddComponent<Volume>(holder);
                volume.isGlobal = true;
                volume.priority = 10f;  // above the template scene's default sky volume (priority 0)
            }
            VolumeProfile profile = volume.sharedProfile;
            if (profile == null)
            {
                profile = ScriptableObject.CreateInstance<VolumeProfile>();
                AssetDatabase.CreateAsset(profile, AssetDatabase.GenerateUniqueAssetPath(profileFolder + "/" + ProfileName));
                Undo.RecordObject(volume, "Assign skyasset sky profile");
                volume.sharedProfile = profile;
            }

            Undo.RecordObject(profile, "Set skyasset HDRI sky");
            VisualEnvironment environment = Override<VisualEnvironment>(profile);
            Undo.RecordObject(environment, "Set skyasset HDRI sky");
            environment.skyType.Override((int)SkyType.HDRI);
            HDRISky hdri = Override<HDRISky>(profile);
            Undo.RecordObject(hdri, "Set skyasset HDRI sky");
            hdri.hdriSky.Override(sky);
            hdri.multiplier.Override(exposure);
            hdri.rotation.Override(rotation);

            // HDRP uses one Static Lighting Sky per scene (template scenes have one): reuse it, add one only if none.
            StaticLightingSky baked = UnityEngine.Object.FindObjectOfType<StaticLightingSky>();
            if (baked == null)
                baked = Undo.AddComponent<StaticLightingSky>(holder);
            Undo.RecordObject(baked, "Set skyasset static lighting sky");
            baked.profile = profile;
            baked.staticLightingSkyUniqueID = (int)SkyType.HDRI;

            EditorUtility.SetDirty(profile);
            AssetDatabase.SaveAssets();
            EditorSceneManager.MarkSceneDirty(SceneManager.GetActiveScene());
            Undo.CollapseUndoOperations(group);
            return (created ? "Created" : "Updated") + " the global volume '" + VolumeName + "' (HDRI Sky, " +
                AssetDatabase.GetAssetPath(profile) + ").";
        }

        /// <summary>The profile's override of type T, added (as a sub-asset, hidden, all parameters overridable,
        /// as the Volume inspector adds one) when it has none.</summary>
        static T Override<T>(VolumeProfile profile) where T : VolumeComponent
        {
            T component;
            if (profile.TryGet(out component))
                return component;
            component = profile.Add<T>(false);
            component.name = typeof(T).Name;
            component.hideFlags = HideFlags.HideInInspector | HideFlags.HideInHierarchy;
            AssetDatabase.AddObjectToAsset(component, profile);
            Undo.RegisterCreatedObjectUndo(component, "Add " + typeof(T).Name + " override");
            return component;
        }
    }
}
