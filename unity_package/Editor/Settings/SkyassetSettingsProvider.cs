using System;
using System.Collections.Generic;
using System.Threading;
using UnityEditor;
using UnityEngine;

namespace Skyasset.Editor
{
    /// <summary>Preferences > skyasset: executable path (auto-detect, Check), model bundle, timeout.</summary>
    internal sealed class SkyassetSettingsProvider : SettingsProvider
    {
        string m_CheckMessage = string.Empty;
        MessageType m_CheckType = MessageType.None;
        bool m_Checking;

        SkyassetSettingsProvider()
            : base("Preferences/skyasset", SettingsScope.User,
                new List<string> { "skyasset", "skybox", "sky", "cloud", "executable" })
        {
        }

        [SettingsProvider]
        public static SettingsProvider Create()
        {
            return new SkyassetSettingsProvider();
        }

        public override void OnGUI(string searchContext)
        {
            EditorGUILayout.LabelField("skyasset command-line tool", EditorStyles.boldLabel);
            EditorGUILayout.BeginHorizontal();
            SkyassetSettings.ExecutablePath = EditorGUILayout.TextField(
                new GUIContent("Executable", "Path of the skyasset executable; empty = find it on PATH."),
                SkyassetSettings.ExecutablePath);
            if (GUILayout.Button("Browse", GUILayout.Width(70)))
            {
                string picked = EditorUtility.OpenFilePanel("skyasset executable", string.Empty, string.Empty);
                if (!string.IsNullOrEmpty(picked))
                    SkyassetSettings.ExecutablePath = picked;
            }
            EditorGUILayout.EndHorizontal();

            EditorGUILayout.BeginHorizontal();
            if (GUILayout.Button("Auto-detect", GUILayout.Width(100)))
            {
                string found = ExecutableLocator.FindOnThisMachine();
                if (found != null)
                {
                    SkyassetSettings.ExecutablePath = found;
                    SetMessage("Found " + found + ". Press Check to run it.", MessageType.Info);
                }
                else
                {
                    SetMessage("skyasset was not found on PATH. Install it from your clone (pip install -e .) and " +
                        "browse to the executable (e.g. <venv>/bin/skyasset or <venv>\\Scripts\\skyasset.exe).",
                        MessageType.Warning);
                }
            }
            using (new EditorGUI.DisabledScope(m_Checking))
            {
                if (GUILayout.Button(m_Checking ? "Checking..." : "Check", GUILayout.Width(100)))
                    Check();
            }
            EditorGUILayout.EndHorizontal();
            if (m_CheckMessage.Length > 0)
                EditorGUILayout.HelpBox(m_CheckMessage, m_CheckType);

            EditorGUILayout.Space();
            EditorGUILayout.BeginHorizontal();
            SkyassetSettings.ModelPath = EditorGUILayout.TextField(
                new GUIContent("Model bundle", "A bundle folder for --model; empty = the CLI's default model."),
                SkyassetSettings.ModelPath);
            if (GUILayout.Button("Browse", GUILayout.Width(70)))
            {
                string picked = EditorUtility.OpenFolderPanel("skyasset model bundle", string.Empty, string.Empty);
                if (!string.IsNullOrEmpty(picked))
                    SkyassetSettings.ModelPath = picked;
            }
            EditorGUILayout.EndHorizontal();
            SkyassetSettings.TimeoutSeconds = EditorGUILayout.IntField(
                new GUIContent("Timeout (s)", "A CLI call that runs longer is stopped."),
                SkyassetSettings.TimeoutSeconds);
        }

        void SetMessage(string message, MessageType type)
        {
            m_CheckMessage = message;
            m_CheckType = type;
            Repaint();
        }

        async void Check()
        {
            m_Checking = true;
            SkyassetCli cli = SkyassetSettings.CreateCli();
            try
            {
                string version = await cli.GetVersionAsync(CancellationToken.None);
                SetMessage("OK: " + cli.Executable + " is skyasset " + version + ".", MessageType.Info);
            }
            catch (SkyassetCliException error)
            {
                SetMessage(error.Message, MessageType.Error);
            }
            catch (Exception error)
            {
                SetMessage("Check failed: " + error.Message, MessageType.Error);
            }
            finally
            {
                m_Checking = false;
                Repaint();
            }
        }
    }
}
