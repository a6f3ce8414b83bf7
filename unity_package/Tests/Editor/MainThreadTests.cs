using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Skyasset.Editor.Tests
{
    /// <summary>
    /// The window's return from the CLI, under a single-threaded synchronization context like Unity's main
    /// thread: the CLI task completes on the thread pool, the continuation must not.
    /// </summary>
    [TestFixture]
    public class MainThreadTests
    {
        /// <summary>A message pump on one dedicated thread, as UnitySynchronizationContext is on the main thread.</summary>
        sealed class PumpContext : SynchronizationContext, IDisposable
        {
            readonly BlockingCollection<Action> m_Queue = new BlockingCollection<Action>();
            readonly Thread m_Thread;

            public PumpContext()
            {
                m_Thread = new Thread(() =>
                {
                    SetSynchronizationContext(this);
                    foreach (Action action in m_Queue.GetConsumingEnumerable())
                        action();
                });
                m_Thread.IsBackground = true;
                m_Thread.Start();
            }

            public int ThreadId
            {
                get { return m_Thread.ManagedThreadId; }
            }

            public override void Post(SendOrPostCallback d, object state)
            {
                m_Queue.Add(() => d(state));
            }

            public void Run(Action action)
            {
                m_Queue.Add(action);
            }

            public void Dispose()
            {
                m_Queue.CompleteAdding();
                m_Thread.Join(5000);
            }
        }

        // What the CLI bridge does: finish on the thread pool (ConfigureAwait(false) all the way down).
        static async Task<string> CliOnThreadPool(string answer)
        {
            await Task.Delay(20).ConfigureAwait(false);
            return await Task.Run(() => answer).ConfigureAwait(false);
        }

        static Task<bool> RunOnPump(PumpContext pump, Func<Task<bool>> start)
        {
            var done = new TaskCompletionSource<bool>();
            pump.Run(async () =>
            {
                try
                {
                    done.SetResult(await start());
                }
                catch (Exception error)
                {
                    done.SetException(error);
                }
            });
            return done.Task;
        }

        [Test]
        public void TheResultIsHandledOnTheCallersThread()
        {
            using (var pump = new PumpContext())
            {
                int handledOn = -1;
                string handled = null;
                Task<bool> run = RunOnPump(pump, () => MainThread.RunThen(() => CliOnThreadPool("sky"), () => true,
                    result =>
                    {
                        handled = result;
                        handledOn = Thread.CurrentThread.ManagedThreadId;
                    }));
                Assert.IsTrue(run.Wait(5000), "the continuation never ran");
                Assert.IsTrue(run.Result);
                Assert.AreEqual("sky", handled);
                Assert.AreEqual(pump.ThreadId, handledOn, "the import ran off the main thread");
            }
        }

        [Test]
        public void AClosedWindowIsLeftAlone()
        {
            using (var pump = new PumpContext())
            {
                bool open = true;
                bool handled = false;
                Task<bool> run = RunOnPump(pump, () => MainThread.RunThen(
                    async () =>
                    {
                        string answer = await CliOnThreadPool("sky");
                        open = false; // the user closed the window while the CLI ran
                        return answer;
                    },
                    () => open, _ => handled = true));
                Assert.IsTrue(run.Wait(5000));
                Assert.IsFalse(run.Result);
                Assert.IsFalse(handled, "the result was imported into a closed window");
            }
        }

        [Test]
        public void ErrorsReachTheCallerOnItsThread()
        {
            using (var pump = new PumpContext())
            {
                int caughtOn = -1;
                Task<bool> run = RunOnPump(pump, async () =>
                {
                    try
                    {
                        return await MainThread.RunThen<string>(async () =>
                        {
                            await Task.Delay(10).ConfigureAwait(false);
                            throw new SkyassetCliException("timeout", "took too long", 1, string.Empty);
                        }, () => true, _ => { });
                    }
                    catch (SkyassetCliException)
                    {
                        caughtOn = Thread.CurrentThread.ManagedThreadId;
                        return false;
                    }
                });
                Assert.IsTrue(run.Wait(5000));
                Assert.AreEqual(pump.ThreadId, caughtOn, "the error dialog would open off the main thread");
            }
        }
    }
}
