import RealModule

// Scalar functions of one, two or three arguments written once, generic over
// `Real`, so that an operator can evaluate them on plain scalars (values), on
// `Dual`/`DualVector` (their partial derivatives in one pass) or on nested
// numbers (higher orders). `elementwise(_:_:_:)` applies them elementwise to
// tensors as one fused operation (AutodiffTensor).

/// A scalar function of one argument, generic over `Real` (see
/// ``DifferentiableFunction`` for why a closure will not do: a closure fixes
/// its scalar type, a conforming type lets the operator choose it).
///
/// ```swift
/// struct Softsign: ElementwiseFunction1 {
///     func callAsFunction<S: Real>(_ a: S) -> S { a / (1 + S.sqrt(a * a)) }
/// }
/// let f = Softsign()
/// f(2.0)                          // 0.666…
/// ElementwisePartial1(f)(2.0)     // its derivative, by forward mode: 1/9
/// ```
public protocol ElementwiseFunction1 {
    func callAsFunction<S: Real>(_ a: S) -> S
}

/// A scalar function of two arguments, generic over `Real`.
///
/// ```swift
/// struct Rosen: ElementwiseFunction2 {
///     func callAsFunction<S: Real>(_ a: S, _ b: S) -> S {
///         100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
///     }
/// }
/// Rosen()(1.0, 1.0)                              // 0
/// ElementwisePartial2(Rosen(), argument: 1)(0.0, 1.0)   // ∂/∂b = 200
/// ```
public protocol ElementwiseFunction2 {
    func callAsFunction<S: Real>(_ a: S, _ b: S) -> S
}

/// A scalar function of three arguments, generic over `Real`.
///
/// ```swift
/// struct FusedMultiplyAdd: ElementwiseFunction3 {
///     func callAsFunction<S: Real>(_ a: S, _ b: S, _ c: S) -> S { a * b + c }
/// }
/// FusedMultiplyAdd()(2.0, 3.0, 1.0)    // 7
/// ```
public protocol ElementwiseFunction3 {
    func callAsFunction<S: Real>(_ a: S, _ b: S, _ c: S) -> S
}

/// The derivative of an ``ElementwiseFunction1``, itself an
/// ``ElementwiseFunction1`` (so it nests: `ElementwisePartial1(ElementwisePartial1(f))`
/// is the second derivative). Evaluates `function` once on ``Dual``.
///
/// ```swift
/// struct Cube: ElementwiseFunction1 { func callAsFunction<S: Real>(_ a: S) -> S { a * a * a } }
/// ElementwisePartial1(Cube())(2.0)                       // 12
/// ElementwisePartial1(ElementwisePartial1(Cube()))(2.0)  // 12
/// ```
@frozen
public struct ElementwisePartial1<F: ElementwiseFunction1>: ElementwiseFunction1 {
    /// The function differentiated.
    public let function: F

    @inlinable
    public init(_ function: F) { self.function = function }

    @inlinable
    public func callAsFunction<S: Real>(_ a: S) -> S {
        function(Dual(a, derivative: 1)).derivative
    }
}

/// The partial derivative of an ``ElementwiseFunction2`` with respect to
/// argument 0 or 1, itself an ``ElementwiseFunction2`` (so it nests). Evaluates
/// `function` once on ``DualVector`` with two lanes.
///
/// ```swift
/// struct Product: ElementwiseFunction2 { func callAsFunction<S: Real>(_ a: S, _ b: S) -> S { a * a * b } }
/// ElementwisePartial2(Product(), argument: 0)(3.0, 2.0)   // 2ab = 12
/// ```
@frozen
public struct ElementwisePartial2<F: ElementwiseFunction2>: ElementwiseFunction2 {
    /// The function differentiated.
    public let function: F
    /// The argument differentiated against, 0 or 1.
    public let argument: Int

    @inlinable
    public init(_ function: F, argument: Int) {
        autodiffRequire(argument == 0 || argument == 1, "ElementwisePartial2",
                        "argument \(argument) is outside 0..<2")
        self.function = function
        self.argument = argument
    }

    @inlinable
    public func callAsFunction<S: Real>(_ a: S, _ b: S) -> S {
        function(DualVector<S, 2>(a, partials: [1, 0]), DualVector<S, 2>(b, partials: [0, 1])).partials[argument]
    }
}

/// The partial derivative of an ``ElementwiseFunction3`` with respect to
/// argument 0, 1 or 2, itself an ``ElementwiseFunction3`` (so it nests).
/// Evaluates `function` once on ``DualVector`` with three lanes.
///
/// ```swift
/// struct Volume: ElementwiseFunction3 { func callAsFunction<S: Real>(_ a: S, _ b: S, _ c: S) -> S { a * b * c } }
/// ElementwisePartial3(Volume(), argument: 2)(2.0, 3.0, 4.0)   // ab = 6
/// ```
@frozen
public struct ElementwisePartial3<F: ElementwiseFunction3>: ElementwiseFunction3 {
    /// The function differentiated.
    public let function: F
    /// The argument differentiated against, 0, 1 or 2.
    public let argument: Int

    @inlinable
    public init(_ function: F, argument: Int) {
        autodiffRequire(argument >= 0 && argument < 3, "ElementwisePartial3",
                        "argument \(argument) is outside 0..<3")
        self.function = function
        self.argument = argument
    }

    @inlinable
    public func callAsFunction<S: Real>(_ a: S, _ b: S, _ c: S) -> S {
        function(DualVector<S, 3>(a, partials: [1, 0, 0]), DualVector<S, 3>(b, partials: [0, 1, 0]),
                 DualVector<S, 3>(c, partials: [0, 0, 1])).partials[argument]
    }
}
