using System;
using System.Threading.Tasks;

namespace Skyasset.Editor
{
    /// <summary>
    /// How the window's async work comes back to Unity: the CLI finishes on a thread-pool thread, but the import
    /// and every Unity API call after it must run on the editor's main thread, and only while the window is open.
    /// </summary>
    internal static class MainThread
    {
        /// <summary>
        /// Awaits <paramref name="work"/> and hands its result to <paramref name="then"/> on the caller's
        /// synchronization context (Unity's main thread when called from the editor), unless
        /// <paramref name="stillOpen"/> says the window was closed meanwhile. Returns whether
        /// <paramref name="then"/> ran. Exceptions of <paramref name="work"/> reach the caller, also on its context.
        /// </summary>
        public static async Task<bool> RunThen<T>(Func<Task<T>> work, Func<bool> stillOpen, Action<T> then)
        {
            T result = await work(); // no ConfigureAwait(false): resume where the caller was
            if (!stillOpen())
                return false;
            then(result);
            return true;
        }
    }
}
