import RealModule
import Testing
import _VectorMath
@testable import AutodiffTensor
@testable import AutodiffCore

/// The distance in units in the last place between two finite or infinite values of the
/// same sign convention: how many representable values lie from one to the other
/// (0 for equal values and for −0 against +0). Not for NaN.
func ulpDistance<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> UInt64 {
    precondition(!a.isNaN && !b.isNaN, "ulpDistance of NaN")
    // The values in order as integers: the bit pattern's magnitude, negated for negatives.
    func ordered(_ x: T) -> Int64 {
        let bits = Int64(x.exponentBitPattern) << T.significandBitCount | Int64(x.significandBitPattern)
        return x.sign == .minus ? -bits : bits
    }
    let (d, overflow) = ordered(a).subtractingReportingOverflow(ordered(b))
    precondition(!overflow)
    return d.magnitude
}

/// How far a vector-path result `y` is from the rule table's `r` for the input `x`: nil
/// when they must count as different whatever the distance — special inputs (±0, ±∞,
/// NaN) and special results (NaN, ±∞) must match exactly (NaN against NaN).
func vectorDistance<T: BinaryFloatingPoint>(_ x: T, _ y: T, _ r: T) -> UInt64? {
    if x.isNaN || x.isInfinite || x == 0 || y.isNaN || r.isNaN || y.isInfinite || r.isInfinite {
        return sameValue(y, r) ? 0 : nil
    }
    return ulpDistance(y, r)
}

/// The functions with a vector path (FastKernels.swift's `_vectorFunction`).
/// (Not tanh: glibc's, the table's, is up to 2.1 ULP from the exact value and SLEEF's within
/// 0.51, so they differ by 2; not sigmoid: its formula turns exp's last bit into 2 ULP.)
let vectorFunctions: [UnaryFunction] = [.exp, .log, .sin, .cos, .expMinusOne, .logOnePlus]

/// The most ULPs the vector path may differ from the rule table.
func tableTolerance(_ f: UnaryFunction) -> UInt64 { 1 }

/// The Double or Float with the bit pattern `bits` (for Float, its low 32 bits).
func fromBits<T: BinaryFloatingPoint>(_ bits: UInt64) -> T {
    if T.self == Double.self { return Double(bitPattern: bits) as! T }
    return Float(bitPattern: UInt32(truncatingIfNeeded: bits)) as! T
}

/// Inputs for `f` in `T`: every special value, random bit patterns (huge, tiny and
/// subnormal arguments of both signs), subnormals alone, and uniform samples over the
/// ranges where `f` changes (near overflow and underflow of exp, large sine arguments).
func vectorSample<T: BinaryFloatingPoint & Real>(_ f: UnaryFunction, _: T.Type, count: Int = 15_000) -> [T] {
    var rng = RandomGenerator(seed: 23 &+ UInt64(f.ordinal))
    var xs: [T] = [0, -0.0, 1, -1, 0.5, -0.5, 2, .infinity, -.infinity, .nan, -.nan,
                   .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
                   .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, -.ulpOfOne, .pi, -.pi]
    func uniform(_ lower: Double, _ upper: Double) -> T { T(lower + (upper - lower) * rng.nextUniform()) }
    // Random bit patterns (every exponent equally likely), and subnormals of both signs.
    for _ in 0..<count {
        let bits = rng.next()
        let v: T = fromBits(bits)
        if v.isFinite { xs.append(v) }
        xs.append(fromBits(bits & (T.self == Double.self ? 0x800F_FFFF_FFFF_FFFF : 0x807F_FFFF)))
    }
    let overflow = Double(T.log(T.greatestFiniteMagnitude as T)) // where exp overflows
    let underflow = Double(T.log(T.leastNonzeroMagnitude as T))  // and underflows to 0
    var ranges: [(Double, Double)] = [(-1, 1), (-1e-6, 1e-6), (-10, 10)]
    switch f {
    case .exp, .expMinusOne:
        ranges += [(underflow - 2, overflow + 2), (overflow - 1e-3, overflow + 1e-3),
                   (underflow - 1e-2, underflow + 1e-2), (-100, 100)]
    case .log, .logOnePlus:
        ranges += [(0, 1e-3), (0.5, 2), (-1, -0.99), (1, 1e6), (0, 1e30)]
    case .sin, .cos:
        ranges += [(-1e3, 1e3), (-1e6, 1e6), (-1e15, 1e15), (-1e300, 1e300)]
    default:
        ranges += [(-25, 25), (-0.7, 0.7)]
    }
    for (lower, upper) in ranges {
        for _ in 0..<count / 2 { xs.append(uniform(lower, upper)) }
    }
    return xs
}

/// The worst distance of `ys` from the rule table over `xs`, and the input where it
/// occurs (nil distance: a special value that does not match).
func worstDistance<T: BinaryFloatingPoint & Real>(_ f: UnaryFunction, _ xs: [T], _ ys: [T]) -> (UInt64?, T, T, T) {
    var worst: (UInt64?, T, T, T) = (UInt64(0), T(0), T(0), T(0))
    for (x, y) in zip(xs, ys) {
        let r = f.value(x)
        guard let d = vectorDistance(x, y, r) else { return (nil, x, y, r) }
        if let w = worst.0, d > w { worst = (d, x, y, r) }
    }
    return worst
}

@Suite("Vector math (SLEEF) against the rule table")
struct VectorMathTests {
    /// Whether this machine has a vector path (x86-64); elsewhere the kernels run the
    /// table's scalar code and the bit-for-bit tests of TensorElementwiseTests apply.
    static var available: Bool { autodiff_vm_available() != AUTODIFF_VM_NONE }

    @Test("ulpDistance counts representable values between two numbers")
    func ulpHelper() {
        #expect(ulpDistance(1.0, 1.0) == 0)
        #expect(ulpDistance(1.0, 1.0.nextUp) == 1)
        #expect(ulpDistance(1.0.nextDown, 1.0.nextUp) == 2)
        #expect(ulpDistance(0.0, -0.0) == 0)
        #expect(ulpDistance(Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude) == 2)
        #expect(ulpDistance(Double.greatestFiniteMagnitude, .infinity) == 1)
        #expect(ulpDistance(Float(1), Float(1).nextUp.nextUp) == 2)
        #expect(ulpDistance(Float(-2), Float(-2).nextDown) == 1)
        #expect(vectorDistance(0.0, -0.0, 0.0) == nil)
        #expect(vectorDistance(1.0, .nan, .nan) == 0)
        #expect(vectorDistance(1.0, .infinity, .greatestFiniteMagnitude) == nil)
    }

    @Test("map(f) of Double and Float tensors is within 1 ULP of the rule table; special values match exactly",
          .enabled(if: available), arguments: vectorFunctions)
    func withinOneULP(_ f: UnaryFunction) {
        func check<T: BinaryFloatingPoint & Real>(_: T.Type) {
            let xs = vectorSample(f, T.self)
            let (d, x, y, r) = worstDistance(f, xs, Tensor<T>(xs).map(f).scalars)
            #expect(d != nil && d! <= tableTolerance(f), "\(f.name)(\(x) as \(T.self)): tensor \(y), rule table \(r)")
        }
        check(Double.self)
        check(Float.self)
    }

    @Test("every instruction set the CPU has (SSE2, AVX2, AVX-512) is within 1 ULP of the rule table",
          .enabled(if: available), arguments: vectorFunctions)
    func everyInstructionSet(_ f: UnaryFunction) {
        let best = autodiff_vm_available().rawValue
        let xs = vectorSample(f, Double.self, count: 8_000), xf = vectorSample(f, Float.self, count: 8_000)
        for isa in 1...best {
            // Odd lengths, so that each set's padded last vector is exercised.
            var ys = [Double](repeating: 0, count: xs.count), yf = [Float](repeating: 0, count: xf.count)
            #expect(_vectorMap(_vectorFunction(f)!, xs, &ys, xs.count - 1, isa: autodiff_vm_isa(isa)))
            #expect(_vectorMap(_vectorFunction(f)!, xf, &yf, xf.count - 3, isa: autodiff_vm_isa(isa)))
            let (d, x, y, r) = worstDistance(f, Array(xs.dropLast()), Array(ys.dropLast()))
            #expect(d != nil && d! <= tableTolerance(f), "\(f.name)(\(x)) with instruction set \(isa): \(y), rule table \(r)")
            let (df, x1, y1, r1) = worstDistance(f, Array(xf.dropLast(3)), Array(yf.dropLast(3)))
            #expect(df != nil && df! <= tableTolerance(f), "\(f.name)(\(x1) as Float) with instruction set \(isa): \(y1), rule table \(r1)")
            #expect(ys.last == 0 && yf.suffix(3) == [0, 0, 0], "wrote past the end")
        }
    }

    @Test("an element's result does not depend on its position or the tensor's length",
          .enabled(if: available), arguments: vectorFunctions)
    func positionIndependent(_ f: UnaryFunction) {
        let xs = (0..<100_003).map { Double($0) * 1.7e-4 - 8 }
        let whole = Tensor<Double>(xs).map(f).scalars
        for (start, length) in [(0, 1), (5, 3), (17, 29), (99_990, 13)] {
            let part = Tensor<Double>(Array(xs[start..<start + length])).map(f).scalars
            #expect(part.elementsEqual(whole[start..<start + length], by: sameValue), "\(f.name) at \(start)")
        }
    }

    @Test("the backward kernels: f′ within 1 ULP (exp, sin, cos), or the table's formula of the vector value",
          .enabled(if: available), arguments: [UnaryFunction.exp, .sin, .cos, .expMinusOne])
    func derivatives(_ f: UnaryFunction) {
        func check<T: BinaryFloatingPoint & Real>(_: T.Type) {
            let xs = vectorSample(f, T.self, count: 10_000)
            let t = Tensor<T>(xs)
            let dy = t._derivative(of: f, order: 1).scalars
            switch f {
            case .exp, .sin, .cos:
                for (x, y) in zip(xs, dy) {
                    let r = f.evaluate(x).derivative
                    guard let d = vectorDistance(x, y, r), d <= 1 else {
                        Issue.record("\(f.name)′(\(x) as \(T.self)): tensor \(y), rule table \(r)")
                        return
                    }
                }
            default:
                // Ω + 1 (expm1) amplifies Ω's last bit where it cancels: the
                // kernel must apply the table's formula to the vector path's value.
                let value = t.map(f).scalars
                for (i, x) in xs.enumerated() where !sameValue(dy[i], f.derivative(at: x, value: value[i])) {
                    Issue.record("\(f.name)′(\(x) as \(T.self)): tensor \(dy[i]), table's formula \(f.derivative(at: x, value: value[i]))")
                    return
                }
            }
        }
        check(Double.self)
        check(Float.self)
    }
}
