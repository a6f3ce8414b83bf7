// Reference stub of the NUnit 3 API (as bundled with Unity's Test Framework) used by
// unity_package/Tests/Editor. Compile-check only: bodies throw. tests/test_unity_csharp.py also runs the
// same tests for real against Debian's NUnit when nunit-console is installed.
using System;
using System.Collections;

namespace NUnit.Framework
{
    public delegate void TestDelegate();

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
    public class TestFixtureAttribute : Attribute
    {
        public TestFixtureAttribute() { }
        public TestFixtureAttribute(params object[] arguments) { }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
    public class TestAttribute : Attribute
    {
        public string Description { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
    public class TestCaseAttribute : Attribute
    {
        public TestCaseAttribute(params object[] arguments) { }
        public TestCaseAttribute(object arg) { }
        public TestCaseAttribute(object arg1, object arg2) { }
        public TestCaseAttribute(object arg1, object arg2, object arg3) { }
        public string TestName { get; set; }
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
    public class SetUpAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
    public class TearDownAttribute : Attribute
    {
    }

    public class Assert
    {
        public static void AreEqual(double expected, double actual, double delta) { throw new NotImplementedException(); }
        public static void AreEqual(double expected, double actual, double delta, string message, params object[] args) { throw new NotImplementedException(); }
        public static void AreEqual(object expected, object actual) { throw new NotImplementedException(); }
        public static void AreEqual(object expected, object actual, string message, params object[] args) { throw new NotImplementedException(); }
        public static void IsTrue(bool condition) { throw new NotImplementedException(); }
        public static void IsTrue(bool condition, string message, params object[] args) { throw new NotImplementedException(); }
        public static void IsFalse(bool condition) { throw new NotImplementedException(); }
        public static void IsFalse(bool condition, string message, params object[] args) { throw new NotImplementedException(); }
        public static void IsNull(object anObject) { throw new NotImplementedException(); }
        public static void IsNull(object anObject, string message, params object[] args) { throw new NotImplementedException(); }
        public static void IsNotEmpty(string aString) { throw new NotImplementedException(); }
        public static void IsNotEmpty(IEnumerable collection) { throw new NotImplementedException(); }
        public static void IsInstanceOf<TExpected>(object actual) { throw new NotImplementedException(); }
        public static TActual Throws<TActual>(TestDelegate code) where TActual : Exception { throw new NotImplementedException(); }
        public static TActual Throws<TActual>(TestDelegate code, string message, params object[] args) where TActual : Exception { throw new NotImplementedException(); }
        public static void Fail(string message) { throw new NotImplementedException(); }
    }

    public class StringAssert
    {
        public static void Contains(string expected, string actual) { throw new NotImplementedException(); }
        public static void Contains(string expected, string actual, string message, params object[] args) { throw new NotImplementedException(); }
    }

    public class CollectionAssert
    {
        public static void AreEqual(IEnumerable expected, IEnumerable actual) { throw new NotImplementedException(); }
        public static void AreEqual(IEnumerable expected, IEnumerable actual, string message, params object[] args) { throw new NotImplementedException(); }
        public static void Contains(IEnumerable collection, object actual) { throw new NotImplementedException(); }
        public static void DoesNotContain(IEnumerable collection, object actual) { throw new NotImplementedException(); }
    }
}
