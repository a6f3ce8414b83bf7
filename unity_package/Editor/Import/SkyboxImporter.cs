using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using UnityEditor;
using UnityEditor.SceneManagement;
using UnityEngine;
using UnityEngine.Rendering;
using UnityEngine.SceneManagement;

namespace Skyasset.Editor
{
    /// <summary>
    /// Brings the CLI's files into the project: configures each TextureImporter, creates or updates the
    /// skybox material, and (on Apply) makes it the scene's skybox, with Undo.
    /// </summary>
    internal static class SkyboxImporter
    {
        /// <summary>The project folder (the parent of Assets/).</summary>
        public static string ProjectRoot
        {
            get { return Path.GetDirectoryName(Application.dataPath); }
        }

        /// <summary>True when the active render pipeline is HDRP, which has none of the Skybox/* shaders.</summary>
        public static bool IsHdrp
        {
            get
            {
                RenderPipelineAsset pipeline = GraphicsSettings.currentRenderPipeline;
                return pipeline != null && pipeline.GetType().Name.StartsWith("HDRenderPipeline", StringComparison.Ordinal);
            }
        }

        /// <summary>Creates <paramref name="assetFolder"/> ("Assets/A/B") and its parents through the AssetDatabase,
        /// so files written there by the CLI import into a folder Unity already knows.</summary>
        public static void EnsureFolder(string assetFolder)
        {
            string[] parts = assetFolder.Replace('\\', '/').TrimEnd('/').Split('/');
            string path = parts[0];
            for (int i = 1; i < parts.Length; i++)
            {
                string next = path + "/" + parts[i];
                if (!AssetDatabase.IsValidFolder(next))
                    AssetDatabase.CreateFolder(path, parts[i]);
                path = next;
            }
        }

        /// <summary>Imports the generated textures for <paramref name="layout"/> and returns them by material slot.
        /// Only the files the material uses are imported, each once with its final settings; the others (the
        /// other image formats, the JSON sidecar) move into a hidden <c>STEM~</c> folder beside them, which
        /// Unity does not import.</summary>
        public static Dictionary<string, Texture> ImportTextures(GenerateResult result, SkyLayout layout, bool preferHdr)
        {
            LayoutPlan plan = LayoutPlan.For(layout);
            Dictionary<string, OutputFile> files = plan.PickFiles(result, preferHdr);
            KeepOutOfProject(result, plan.UnusedFiles(result, files));

            var textures = new Dictionary<string, Texture>();
            foreach (KeyValuePair<string, OutputFile> pair in files)
            {
                string assetPath = RequireAssetPath(pair.Value.Path);
                TextureSettings.Register(assetPath, plan.SettingsFor(pair.Value));
                AssetDatabase.ImportAsset(assetPath, ImportAssetOptions.ForceUpdate);
                Texture texture = plan.IsCube
                    ? (Texture)AssetDatabase.LoadAssetAtPath<Cubemap>(assetPath)
                    : AssetDatabase.LoadAssetAtPath<Texture2D>(assetPath);
                if (texture == null)
                    throw new InvalidOperationException("Unity could not load " + assetPath + " as a " +
                        (plan.IsCube ? "cubemap" : "texture") + ". See the Console for the importer's message.");
                textures[plan.Slots[pair.Key]] = texture;
            }
            return textures;
        }

        static void KeepOutOfProject(GenerateResult result, List<OutputFile> unused)
        {
            if (unused.Count == 0)
                return;
            OutputFile sidecar = result.FindFile("sidecar", "json");  // named after the sky, not after one face
            string hidden = AssetPaths.HiddenFolder(sidecar != null ? sidecar.Path : result.Outputs[0]);
            Directory.CreateDirectory(hidden);
            foreach (OutputFile file in unused)
            {
                string target = Path.Combine(hidden, Path.GetFileName(file.Path));
                if (File.Exists(target))
                    File.Delete(target);
                if (File.Exists(file.Path))
                    File.Move(file.Path, target);
            }
        }

        /// <summary>Creates (or updates, with Undo) the skybox material next to the images.</summary>
        public static Material CreateMaterial(GenerateResult result, SkyLayout layout, Dictionary<string, Texture> textures,
            float exposure = 1f, float rotation = 0f)
        {
            LayoutPlan plan = LayoutPlan.For(layout);
            Shader shader = Shader.Find(plan.Shader);
            if (shader == null)
                throw new InvalidOperationException("The shader '" + plan.Shader + "' is not available in this " +
                    "render pipeline. In HDRP use the imported cubemap with an HDRI Sky override (see the " +
                    "package documentation).");
            string main = RequireAssetPath(result.Outputs[0]);
            OutputFile sidecar = result.FindFile("sidecar", "json");
            string stem = sidecar != null  // the files' own name: the sky's, which carries its settings
                ? Path.GetFileNameWithoutExtension(sidecar.Path)
                : result.Stem;
            string materialPath = Path.GetDirectoryName(main).Replace('\\', '/') + "/" + stem + "_" +
                plan.CliLayout + ".mat";

            Material material = AssetDatabase.LoadAssetAtPath<Material>(materialPath);
            bool created = material == null;
            if (created)
                material = new Material(shader);
            else
            {
                Undo.RecordObject(material, "Update skyasset sky material");
                material.shader = shader;
            }
            foreach (KeyValuePair<string, Texture> slot in textures)
                material.SetTexture(slot.Key, slot.Value);
            if (plan.Kind == TextureKind.Panorama2D)
            {
                // _Mapping is a KeywordEnum: the float is what the inspector shows, the keyword what renders.
                material.SetFloat("_Mapping", 1f);
                material.EnableKeyword("_MAPPING_LATITUDE_LONGITUDE_LAYOUT");
                material.DisableKeyword("_MAPPING_6_FRAMES_LAYOUT");
                material.SetFloat("_ImageType", 0f); // 360 degrees
            }
            SetLook(material, exposure, rotation);
            if (created)
                AssetDatabase.CreateAsset(material, materialPath); // not an Undo step: Undo may not destroy assets
            EditorUtility.SetDirty(material);
            AssetDatabase.SaveAssets();
            return material;
        }

        /// <summary>Brightness and turn of a skybox material (the Skybox shaders' <c>_Exposure</c> and
        /// <c>_Rotation</c>, in degrees about the vertical axis).</summary>
        public static void SetLook(Material material, float exposure, float rotation)
        {
            Undo.RecordObject(material, "Skybox exposure and rotation");
            if (material.HasProperty("_Exposure"))
                material.SetFloat("_Exposure", exposure);
            if (material.HasProperty("_Rotation"))
                material.SetFloat("_Rotation", rotation);
            EditorUtility.SetDirty(material);
        }

        /// <summary>Aims the scene's sun (RenderSettings.sun, else a light named "skyasset Sun", else, with
        /// <paramref name="create"/>, a new directional light of that name) from the sky's sun at panorama fraction
        /// (u, v), with the skybox turned by <paramref name="rotation"/> degrees; one Undo step. Null when there is
        /// no light and none may be created.</summary>
        public static Light AimSunLight(double u, double v, float rotation, bool create = true)
        {
            double[] toSun = SkyGeometry.AfterSkyboxRotation(SkyGeometry.SunDirection(u, v), rotation);
            Light light = RenderSettings.sun;
            if (light == null)
            {
                GameObject existing = GameObject.Find(SunLightName);
                light = existing != null ? existing.GetComponent<Light>() : null;
            }
            if (light == null && !create)
                return null;
            if (light == null)
            {
                var created = new GameObject(SunLightName);
                light = created.AddComponent<Light>();
                light.type = LightType.Directional;
                Undo.RegisterCreatedObjectUndo(created, "Create skyasset sun");
            }
            else
                Undo.RecordObject(light.transform, "Aim skyasset sun");
            // A directional light shines along its forward axis: from the sun towards the scene.
            light.transform.rotation = Quaternion.LookRotation(
                new Vector3((float)-toSun[0], (float)-toSun[1], (float)-toSun[2]));
            RenderSettings.sun = light;
            return light;
        }

        const string SunLightName = "skyasset Sun";

        /// <summary>After a sky change: updates the environment lighting (ambient and default reflection) and
        /// re-renders the open scene's reflection probes: realtime ones at once, baked ones re-baked into the
        /// cubemap they already use (the scene's lighting data keeps pointing at it). A baked probe that was never
        /// baked has no cubemap yet; only Generate Lighting gives it one, so it is counted in
        /// <paramref name="notBaked"/> and left alone. Returns how many probes were rendered. Not for HDRP, whose
        /// probes are HDRP components.</summary>
        public static int RefreshReflections(out int notBaked)
        {
            DynamicGI.UpdateEnvironment();
            int rendered = 0;
            notBaked = 0;
            foreach (ReflectionProbe probe in UnityEngine.Object.FindObjectsOfType<ReflectionProbe>())
            {
                string path = probe.bakedTexture != null ? AssetDatabase.GetAssetPath(probe.bakedTexture) : null;
                switch (ProbeRefresh.For(probe.mode, path))
                {
                    case ProbeAction.Render:
                        probe.RenderProbe();
                        rendered++;
                        break;
                    case ProbeAction.Rebake:
                        if (Lightmapping.BakeReflectionProbe(probe, path))
                            rendered++;
                        break;
                    case ProbeAction.NeedsGenerateLighting:
                        notBaked++;
                        break;
                }
            }
            return rendered;
        }

        /// <summary>Makes <paramref name="material"/> the active scene's skybox and relights; one Undo step.</summary>
        public static void Apply(Material material)
        {
            int group = Undo.GetCurrentGroup();
            Undo.SetCurrentGroupName("Apply skyasset sky");
            UnityEngine.Object renderSettings = RenderSettingsObject();
            if (renderSettings != null)
                Undo.RecordObject(renderSettings, "Apply skyasset sky");
            RenderSettings.skybox = material;
            DynamicGI.UpdateEnvironment();
            EditorSceneManager.MarkSceneDirty(SceneManager.GetActiveScene());
            Undo.CollapseUndoOperations(group);
        }

        static string RequireAssetPath(string absolutePath)
        {
            string assetPath = AssetPaths.ToAssetPath(ProjectRoot, absolutePath);
            if (assetPath == null)
                throw new InvalidOperationException("skyasset wrote " + absolutePath + ", outside this project's " +
                    "Assets folder: choose an output folder under Assets/.");
            return assetPath;
        }

        // RenderSettings is edited through a hidden per-scene object; Undo needs that object. Unity's own
        // Lighting window reaches it through this internal method; without it the change is applied without Undo.
        static UnityEngine.Object RenderSettingsObject()
        {
            MethodInfo getter = typeof(RenderSettings).GetMethod("GetRenderSettings",
                BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
            return getter != null ? getter.Invoke(null, null) as UnityEngine.Object : null;
        }
    }
}
