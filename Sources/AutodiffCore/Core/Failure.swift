// The one way the package stops on misuse.
//
// Swift's `precondition` prints nothing in optimised builds (-O keeps the check but drops
// the message), and users run release builds. `fatalError` prints in every build except
// -Ounchecked, so every check of a caller's values, shapes or arguments goes through
// `autodiffFailure`, which prints one message style:
//
//     Autodiff: <operation>: <what was wrong with the values or shapes>
//
// `precondition` and `assert` stay only for internal invariants, each commented so.

/// Stops the program with `Autodiff: <operation>: <message>`, in debug and release builds.
///
/// `operation` names the public API that was misused (`matmul`, `SGD.learningRate`,
/// `jvp(at:direction:of:)`); `message` says what was wrong with the values or shapes, and
/// where the offending value was recorded when that is known. `file` and `line` are the
/// caller's, so that the report points at the check, not at this function.
@usableFromInline
@inline(never)
package func autodiffFailure(
    _ operation: String, _ message: String, file: StaticString = #fileID, line: UInt = #line
) -> Never {
    fatalError("Autodiff: \(operation): \(message)", file: file, line: line)
}

/// Stops with ``autodiffFailure(_:_:file:line:)`` unless `condition` holds.
///
/// Cheap on the hot path: the check is inlined, and the operation name and message are
/// built only when the condition fails (the failure branch is a call to a cold,
/// never-inlined function).
@inlinable
@inline(__always)
package func autodiffRequire(
    _ condition: @autoclosure () -> Bool, _ operation: @autoclosure () -> String,
    _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if _slowPath(!condition()) { autodiffFailure(operation(), message(), file: file, line: line) }
}
