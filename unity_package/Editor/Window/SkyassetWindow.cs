using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using UnityEditor;
using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>
    /// Tools > skyasset > Sky Generator: pick a cloud type and a seed, Generate (runs the CLI in the background
    /// and imports the result), Apply (sets the scene's skybox).
    /// </summary>
    internal sealed class SkyassetWindow : EditorWindow
    {
        static readonly int[] k_Sizes = { 1024, 2048, 4096, 8192 };
        static readonly string[] k_SizeLabels = { "1024 x 512", "2048 x 1024", "4096 x 2048", "8192 x 4096" };
        static readonly string[] k_LayoutLabels =
        {
            "Cubemap (from panorama)", "Panoramic (2D equirect)", "Cubemap (from cross)", "6 Sided (six faces)",
        };
        static readonly string[] k_UpscaleModes = { "none", "fast", "best" };
        static readonly string[] k_UpscaleLabels = { "None", "Fast", "Best (slow)" };
        const float k_ThumbnailSize = 96f;
        const string k_Title = "skyasset";

        // Settings the user edits; serialized so they survive domain reloads.
        [SerializeField] string m_Cloud = "Cu";
        [SerializeField] long m_Seed = 7;
        [SerializeField] float m_Psi = 0.7f;
        [SerializeField] int m_Size = 2048;
        [SerializeField] SkyLayout m_Layout = SkyLayout.CubemapFromEquirect;
        [SerializeField] bool m_Hdr;
        [SerializeField] int m_Upscale; // none: fast adds no visible detail to a sky (README, upscale modes)
        [SerializeField] string m_OutputFolder = "Assets/Skies";
        [SerializeField] bool m_ApplyAfterGenerate = true;
        [SerializeField] float m_Exposure = 1f;
        [SerializeField] float m_Rotation;
        [SerializeField] bool m_SunLight = true;
        [SerializeField] double m_LastSunU = -1.0;
        [SerializeField] double m_LastSunV;
        [SerializeField] double m_LastSunIrradiance = -1.0;
        [SerializeField] bool m_RefreshProbes = true;
        [SerializeField] Material m_LastMaterial;
        [SerializeField] Cubemap m_LastCubemap;  // HDRP: the imported cube that Apply puts in an HDRI Sky
        [SerializeField] string m_Status = string.Empty;

        ClassList m_Classes;
        string m_ClassesError;
        bool m_LoadingClasses;
        PreviewCache m_Previews;
        readonly HashSet<string> m_PreviewFailed = new HashSet<string>();
        string m_PreviewRunning;
        CancellationTokenSource m_Running;
        Stopwatch m_RunClock;
        readonly System.Random m_Random = new System.Random();

        [MenuItem("Tools/skyasset/Sky Generator")]
        public static void Open()
        {
            var window = GetWindow<SkyassetWindow>(k_Title);
            window.minSize = new Vector2(360f, 420f);
            window.Show();
        }

        void OnEnable()
        {
            m_Previews = new PreviewCache(SkyboxImporter.ProjectRoot, SkyassetSettings.ModelPath);
            LoadClasses();
        }

        void OnDisable()
        {
            // A domain reload or closing the window stops the running process rather than orphaning it.
            if (m_Running != null)
                m_Running.Cancel();
            EditorApplication.update -= Repaint;
        }

        void OnGUI()
        {
            bool busy = m_Running != null;
            DrawCloud(busy);
            using (new EditorGUI.DisabledScope(busy))
            {
                EditorGUILayout.BeginHorizontal();
                m_Seed = Seeds.Clamp(EditorGUILayout.LongField("Seed", m_Seed));
                if (GUILayout.Button("Randomise", GUILayout.Width(80f)))
                    m_Seed = Seeds.Random(m_Random);
                EditorGUILayout.EndHorizontal();
                m_Psi = EditorGUILayout.Slider(new GUIContent("Variety (psi)",
                    "1 = full variety; 0 = the most typical sky of this cloud type."), m_Psi, 0f, 1f);
                m_Size = EditorGUILayout.IntPopup("Size", m_Size, k_SizeLabels, k_Sizes);
                m_Layout = (SkyLayout)EditorGUILayout.Popup("Layout", (int)m_Layout, k_LayoutLabels);
                // None interpolates the generator's small views; Fast is the bundled 4x network (under a second
                // at 4096); Best is Real-ESRGAN (minutes on a CPU; needs skyasset[best]).
                m_Upscale = EditorGUILayout.Popup("Upscale", m_Upscale, k_UpscaleLabels);
                m_Hdr = EditorGUILayout.Toggle(new GUIContent("HDR",
                    "Also write an HDR (EXR) sky that can light the scene, and import that instead of the PNG."), m_Hdr);
                DrawOutputFolder();
                m_ApplyAfterGenerate = EditorGUILayout.Toggle("Apply after generating", m_ApplyAfterGenerate);
                m_Exposure = EditorGUILayout.Slider(new GUIContent("Exposure",
                    "The skybox material's brightness (Skybox shaders' _Exposure)."), m_Exposure, 0f, 8f);
                m_Rotation = EditorGUILayout.Slider(new GUIContent("Rotation",
                    "Turns the sky about the vertical axis (degrees); the sun light turns with it."), m_Rotation, 0f, 360f);
                m_SunLight = EditorGUILayout.Toggle(new GUIContent("Sun light",
                    "On Apply, aim a directional light (the scene's Sun, else a new 'skyasset Sun') from where the " +
                    "sky's sun is; skipped for an overcast sky."), m_SunLight);
                m_RefreshProbes = EditorGUILayout.Toggle(new GUIContent("Update reflections",
                    "On Apply, update the environment lighting and re-render the scene's reflection probes " +
                    "(realtime ones at once, baked ones re-baked into their cubemap), so reflections show the new sky."),
                    m_RefreshProbes);
            }
            if (SkyboxImporter.IsHdrp)
                EditorGUILayout.HelpBox(HdrpAdvice(), MessageType.Info);

            EditorGUILayout.Space();
            if (busy)
                DrawProgress();
            else
                DrawActions();
            if (m_Status.Length > 0)
                EditorGUILayout.HelpBox(m_Status, MessageType.None);
        }

        void DrawCloud(bool busy)
        {
            if (m_Classes == null)
            {
                EditorGUILayout.HelpBox(m_LoadingClasses ? "Asking skyasset for its cloud types..." :
                    (m_ClassesError ?? "No cloud types loaded."), m_LoadingClasses ? MessageType.Info : MessageType.Warning);
                using (new EditorGUI.DisabledScope(m_LoadingClasses))
                {
                    if (GUILayout.Button("Retry"))
                        LoadClasses();
                }
                return;
            }
            if (m_Classes.Classes.Count == 0)
            {
                m_Cloud = null;
                EditorGUILayout.HelpBox("The model has no cloud types (an unconditional model).", MessageType.Info);
                return;
            }
            int index = Math.Max(0, IndexOfCloud(m_Classes.Classes, m_Cloud));
            var labels = new string[m_Classes.Classes.Count];
            for (int i = 0; i < labels.Length; i++)
                labels[i] = m_Classes.Classes[i].Code + "  " + m_Classes.Classes[i].Name;
            CloudClass chosen;
            using (new EditorGUI.DisabledScope(busy))
            {
                EditorGUILayout.BeginHorizontal();
                index = EditorGUILayout.Popup("Cloud type", index, labels);
                chosen = m_Classes.Classes[index];
                m_Cloud = chosen.Code;
                if (GUILayout.Button(new GUIContent("Reload", "Ask skyasset again, e.g. after changing the model " +
                        "in Preferences; also regenerates the previews."), GUILayout.Width(60f)))
                {
                    m_Previews.Clear();
                    m_Previews = new PreviewCache(SkyboxImporter.ProjectRoot, SkyassetSettings.ModelPath);
                    m_PreviewFailed.Clear();
                    LoadClasses();
                }
                EditorGUILayout.EndHorizontal();
            }
            EditorGUILayout.BeginHorizontal();
            Texture2D thumbnail = m_Previews.Get(chosen.Code, m_Seed, m_Psi);
            Rect box = GUILayoutUtility.GetRect(k_ThumbnailSize, k_ThumbnailSize, GUILayout.Width(k_ThumbnailSize),
                GUILayout.Height(k_ThumbnailSize));
            if (thumbnail != null)
                GUI.DrawTexture(box, thumbnail, ScaleMode.ScaleToFit);
            else
                GUI.Box(box, m_PreviewRunning == m_Previews.PathFor(chosen.Code, m_Seed, m_Psi) ? "..." : "no preview");
            EditorGUILayout.LabelField(chosen.Description, EditorStyles.wordWrappedLabel);
            EditorGUILayout.EndHorizontal();
            if (thumbnail == null && m_Classes.FromModel && !busy)
                RequestPreview(chosen.Code, m_Seed, m_Psi);  // this seed and psi, before the full generation
        }

        void DrawOutputFolder()
        {
            EditorGUILayout.BeginHorizontal();
            m_OutputFolder = EditorGUILayout.TextField("Output folder", m_OutputFolder);
            if (GUILayout.Button("...", GUILayout.Width(28f)))
            {
                string picked = EditorUtility.OpenFolderPanel("Sky output folder (under Assets)",
                    AssetPaths.ToAbsolute(SkyboxImporter.ProjectRoot, m_OutputFolder), string.Empty);
                if (!string.IsNullOrEmpty(picked))
                {
                    string assetPath = AssetPaths.ToAssetPath(SkyboxImporter.ProjectRoot, picked);
                    if (assetPath != null)
                        m_OutputFolder = assetPath;
                    else
                        EditorUtility.DisplayDialog(k_Title, "Choose a folder inside this project's Assets folder.", "OK");
                }
            }
            EditorGUILayout.EndHorizontal();
            if (!AssetPaths.IsUnderAssets(m_OutputFolder))
                EditorGUILayout.HelpBox("The output folder must be Assets or a folder under it.", MessageType.Error);
        }

        void DrawActions()
        {
            EditorGUILayout.BeginHorizontal();
            using (new EditorGUI.DisabledScope(m_Classes == null || !AssetPaths.IsUnderAssets(m_OutputFolder)))
            {
                if (GUILayout.Button("Generate", GUILayout.Height(28f)))
                    Generate(false);
            }
            using (new EditorGUI.DisabledScope(!CanApply()))
            {
                if (GUILayout.Button("Apply", GUILayout.Height(28f)))
                    ApplyLast();
            }
            EditorGUILayout.EndHorizontal();
        }

        void DrawProgress()
        {
            // The CLI reports no progress, so the bar eases toward full while the process runs.
            double seconds = m_RunClock != null ? m_RunClock.Elapsed.TotalSeconds : 0.0;
            float eased = 1f - (float)Math.Exp(-seconds / 8.0);
            Rect bar = EditorGUILayout.GetControlRect(false, 20f);
            EditorGUI.ProgressBar(bar, eased * 0.95f, string.Format("Generating... {0:0.0} s", seconds));
            if (GUILayout.Button("Cancel"))
                m_Running.Cancel();
        }

        async void LoadClasses()
        {
            m_LoadingClasses = true;
            m_Classes = null;
            m_ClassesError = null;
            try
            {
                m_Classes = await SkyassetSettings.CreateCli().GetClassesAsync(CancellationToken.None);
            }
            catch (SkyassetCliException error)
            {
                m_ClassesError = error.Message;
            }
            finally
            {
                m_LoadingClasses = false;
                RepaintIfOpen();
            }
        }

        async void RequestPreview(string code, long seed, float psi)
        {
            string key = m_Previews.PathFor(code, seed, psi);
            if (m_PreviewRunning != null || m_PreviewFailed.Contains(key))
                return;
            m_PreviewRunning = key;
            try
            {
                await m_Previews.GenerateAsync(SkyassetSettings.CreateCli(), code, seed, psi, CancellationToken.None);
            }
            catch (SkyassetCliException error)
            {
                m_PreviewFailed.Add(key); // shown as "no preview"; Generate reports the error itself
                UnityEngine.Debug.LogWarning("skyasset: no preview for " + code + ": " + error.Message);
            }
            finally
            {
                m_PreviewRunning = null;
                RepaintIfOpen();
            }
        }

        async void Generate(bool force)
        {
            string folder = m_OutputFolder.TrimEnd('/');
            var request = new GenerateRequest
            {
                Cloud = m_Cloud,
                Seed = m_Seed,
                Psi = m_Psi,
                Layout = LayoutPlan.For(m_Layout).CliLayout,
                Size = m_Size,
                Hdr = m_Hdr,
                Upscale = k_UpscaleModes[Math.Max(0, Math.Min(m_Upscale, k_UpscaleModes.Length - 1))],
                Force = force,
                // The CLI names the files after the settings (the answer's stem), as the studio and Blender do:
                // another setting is another sky beside the last, the same settings again ask to overwrite.
                OutputFolder = AssetPaths.ToAbsolute(SkyboxImporter.ProjectRoot, folder),
            };
            SkyboxImporter.EnsureFolder(folder);
            m_Running = new CancellationTokenSource();
            m_RunClock = Stopwatch.StartNew();
            EditorApplication.update += Repaint;
            CancellationToken token = m_Running.Token;
            try
            {
                // Unity's == null is true for a destroyed window: a sky finished after the window closed is
                // left on disk, not imported into a window that no longer exists.
                await MainThread.RunThen(() => SkyassetSettings.CreateCli().GenerateAsync(request, token),
                    () => this != null, Import);
            }
            catch (SkyassetCliException error)
            {
                m_Status = string.Empty;
                if (HandleError(error))
                    EditorApplication.delayCall += () => Generate(true);
            }
            finally
            {
                EditorApplication.update -= Repaint;
                m_Running.Dispose();
                m_Running = null;
                RepaintIfOpen();
            }
        }

        void Import(GenerateResult result)
        {
            try
            {
                Dictionary<string, Texture> textures = SkyboxImporter.ImportTextures(result, m_Layout, m_Hdr);
                bool sun = result.Sun != null && result.Sun.Present;
                m_LastSunU = sun ? result.Sun.U : -1.0;
                m_LastSunV = sun ? result.Sun.V : 0.0;
                m_LastSunIrradiance = sun ? result.Sun.Irradiance : -1.0;
                if (SkyboxImporter.IsHdrp)
                {
                    m_LastMaterial = null;
                    var first = new List<Texture>(textures.Values)[0];
                    m_LastCubemap = first as Cubemap;
                    Selection.activeObject = first;
                    m_Status = string.Format("{0} seed {1}: imported {2} ({3:0.0} s).",
                        result.CloudName, result.Seed, AssetDatabase.GetAssetPath(first), result.TotalSeconds);
                    if (m_ApplyAfterGenerate && CanApply())
                        ApplyLast();
                    return;
                }
                m_LastCubemap = null;
                m_LastMaterial = SkyboxImporter.CreateMaterial(result, m_Layout, textures, m_Exposure, m_Rotation);
                m_Status = string.Format("{0} seed {1}: {2} ({3:0.0} s).", result.CloudName, result.Seed,
                    AssetDatabase.GetAssetPath(m_LastMaterial), result.TotalSeconds);
                if (m_ApplyAfterGenerate)
                    ApplyLast();
            }
            catch (Exception error)
            {
                EditorUtility.DisplayDialog("skyasset import failed", error.Message, "OK");
                UnityEngine.Debug.LogException(error);
            }
            Repaint();
        }

        bool CanApply()
        {
            if (SkyboxImporter.IsHdrp)
                return m_LastCubemap != null && SkyEnvironment.CanSetHdriSky;
            return m_LastMaterial != null;
        }

        static string HdrpAdvice()
        {
            if (SkyEnvironment.CanSetHdriSky)
                return "HDRP: Apply puts the sky in an HDRI Sky override of a global Volume 'skyasset Sky' (and its " +
                    "Static Lighting Sky). Use a Cubemap layout: HDRI Sky takes a cubemap.";
            return "HDRP older than 12 (Unity 2021.3): Generate imports the cubemap; put it in an HDRI Sky override " +
                "of a Volume by hand (see the package documentation).";
        }

        void ApplyLast()
        {
            if (!CanApply())
                return;
            if (SkyboxImporter.IsHdrp)
            {
                string folder = System.IO.Path.GetDirectoryName(AssetDatabase.GetAssetPath(m_LastCubemap)).Replace('\\', '/');
                m_Status = SkyEnvironment.HdriSky(m_LastCubemap, m_Exposure, m_Rotation, folder);
            }
            else
            {
                SkyboxImporter.SetLook(m_LastMaterial, m_Exposure, m_Rotation);
                SkyboxImporter.Apply(m_LastMaterial);
                m_Status = "Skybox set to " + AssetDatabase.GetAssetPath(m_LastMaterial) + " (Undo reverts it).";
            }
            if (m_SunLight && m_LastSunU >= 0.0)
            {
                // HDRP lights need HDRP's own light data, which only HDRP's menus add: aim an existing sun there.
                Light light = SkyboxImporter.AimSunLight(m_LastSunU, m_LastSunV, m_Rotation, !SkyboxImporter.IsHdrp);
                // HDRP lights are in lux with their own exposure: only the built-in and URP pipelines take the
                // sky's relative units.
                float? intensity = SkyGeometry.SunIntensity(m_LastSunIrradiance, m_Exposure);
                if (light != null && intensity.HasValue && !SkyboxImporter.IsHdrp)
                {
                    Undo.RecordObject(light, "Set skyasset sun intensity");
                    light.intensity = intensity.Value;
                }
                if (light != null)
                    m_Status += " Sun: " + light.name + (intensity.HasValue && !SkyboxImporter.IsHdrp
                        ? string.Format(", intensity {0:0.00}.", intensity.Value) : ".");
            }
            if (m_RefreshProbes && !SkyboxImporter.IsHdrp)
            {
                int notBaked;
                int probes = SkyboxImporter.RefreshReflections(out notBaked);
                m_Status += string.Format(" Environment lighting updated; {0} reflection probe{1} re-rendered.",
                    probes, probes == 1 ? "" : "s");
                if (notBaked > 0)
                    m_Status += string.Format(" {0} baked probe{1} never baked: use Generate Lighting.",
                        notBaked, notBaked == 1 ? " was" : "s were");
            }
        }

        /// <summary>Shows the CLI's message; returns true when the user asked to overwrite.</summary>
        static bool HandleError(SkyassetCliException error)
        {
            switch (ErrorAdvice.For(error.Code))
            {
                case ErrorRemedy.Silent:
                    return false;
                case ErrorRemedy.Overwrite:
                    return EditorUtility.DisplayDialog(ErrorAdvice.Title(error.Code), error.Message, "Overwrite", "Cancel");
                case ErrorRemedy.OpenPreferences:
                    if (EditorUtility.DisplayDialog(ErrorAdvice.Title(error.Code), error.Message, "Open Preferences", "Close"))
                        SettingsService.OpenUserPreferences("Preferences/skyasset");
                    return false;
                default:
                    EditorUtility.DisplayDialog(ErrorAdvice.Title(error.Code), error.Message, "OK");
                    return false;
            }
        }

        // Async work can finish after the window was closed; Unity's == null is true for a destroyed window.
        void RepaintIfOpen()
        {
            if (this != null)
                Repaint();
        }

        internal static int IndexOfCloud(IList<CloudClass> classes, string code)
        {
            for (int i = 0; i < classes.Count; i++)
            {
                if (classes[i].Code == code || classes[i].Name == code)
                    return i;
            }
            return -1;
        }
    }
}
