import AutodiffCore
// Grad mode, anomaly mode and the active profiler: one task-local value, read
// once per recorded operation. Task-local values are per task and, outside
// tasks, per thread, so scopes on different threads never interfere.

struct _AutogradContext: Sendable {
    var gradEnabled = true
    var anomalyDetection = false
    var profiler: Profiler?
}

enum _Autograd {
    @TaskLocal static var context = _AutogradContext()

    static var isGradEnabled: Bool { context.gradEnabled }

    static func with<R>(gradEnabled: Bool, _ body: () throws -> R) rethrows -> R {
        var c = context
        if c.gradEnabled == gradEnabled { return try body() }
        c.gradEnabled = gradEnabled
        return try $context.withValue(c, operation: body)
    }
}

/// Runs `body` without recording: results of tensor operations inside do not
/// require grad (PyTorch's `with torch.no_grad():`). In-place updates of leaves
/// that require grad (optimizer steps) are allowed inside.
///
/// ```swift
/// let x = Tensor<Double>.ones([2], requiresGrad: true)
/// let y = withNoGrad { x * 2 }
/// y.requiresGrad   // false
/// x.requiresGrad   // true
/// ```
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try _Autograd.with(gradEnabled: false, body)
}

/// Turns recording back on inside a ``withNoGrad(_:)`` scope (`torch.enable_grad`).
///
/// ```swift
/// withNoGrad {
///     let z = withGradEnabled { x * 2 }   // z.requiresGrad == true
/// }
/// ```
public func withGradEnabled<R>(_ body: () throws -> R) rethrows -> R {
    try _Autograd.with(gradEnabled: true, body)
}

/// Whether tensor operations are recorded here (false inside ``withNoGrad(_:)``).
public var isGradEnabled: Bool { _Autograd.isGradEnabled }

/// Wraps a function so that it always runs without recording (the
/// `@torch.no_grad()` decorator).
///
/// ```swift
/// let doubler = noGrad { (t: Tensor<Double>) in t * 2 }
/// doubler(x).requiresGrad   // false
/// ```
public func noGrad<A, R>(_ f: @escaping (A) -> R) -> (A) -> R {
    { a in withNoGrad { f(a) } }
}

/// Wraps a function so that it records even when called inside ``withNoGrad(_:)``
/// (the `@torch.enable_grad()` decorator).
public func gradEnabled<A, R>(_ f: @escaping (A) -> R) -> (A) -> R {
    { a in withGradEnabled { f(a) } }
}

/// Runs `body` in anomaly mode (`torch.autograd.set_detect_anomaly(True)`):
/// every recorded operation also keeps its call stack, and the first backward
/// function whose gradient contains NaN or infinity stops the backward pass
/// with ``AutogradError/anomaly(operation:value:)``, naming the operation and
/// where it was recorded.
///
/// ```swift
/// try withAnomalyDetection {
///     let x = Tensor<Double>([0], requiresGrad: true)
///     try sqrt(x).sum().backward()   // throws: SqrtBackward0 returned inf values …
/// }
/// ```
public func withAnomalyDetection<R>(_ body: () throws -> R) rethrows -> R {
    var c = _Autograd.context
    c.anomalyDetection = true
    return try _Autograd.$context.withValue(c, operation: body)
}
