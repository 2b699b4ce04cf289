import RealModule
@testable import AutodiffCore

// Random scalar programs for the cross-mode fuzzer (FuzzTests.swift): a small IR whose
// instructions are entries of the rule table, comparisons and loops, evaluated
// generically over any `Real`, so one program runs on Double, Dual, DualVector, Reverse,
// Traced and their nestings.

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, deterministic generator, so a
/// seed names the same programs on every machine and run.
struct FuzzRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ p: Double) -> Bool { uniform(0, 1) < p }

    mutating func pick<C: Collection>(_ c: C) -> C.Element where C.Index == Int { c[c.startIndex + below(c.count)] }
}

/// One instruction. Operands are indices of earlier instructions.
enum FuzzOp: CustomStringConvertible {
    case input(Int)
    case constant(Double)
    case unary(UnaryFunction, Int)
    case binary(BinaryFunction, Int, Int)
    /// `Real`'s `maximumMagnitude` (true) or `minimumMagnitude` (false), outside the rule table.
    case magnitude(maximum: Bool, Int, Int)
    /// `v[a] < v[b] ? v[then] : v[otherwise]`: a branch through a comparison.
    case select(a: Int, b: Int, then: Int, otherwise: Int)
    /// `acc = v[start]`, then `count` times `acc = body(acc)/2 + v[mix]/4`, halving the
    /// excess over `v[limit]` whenever `acc > v[limit]` (a comparison per iteration).
    case loop(count: Int, start: Int, mix: Int, limit: Int, body: UnaryFunction)

    var description: String {
        switch self {
        case .input(let i): return "x\(i)"
        case .constant(let c): return "\(c)"
        case let .unary(f, a): return "\(f.name)(v\(a))"
        case let .binary(f, a, b): return "\(f.name)(v\(a), v\(b))"
        case let .magnitude(m, a, b): return "\(m ? "maximum" : "minimum")Magnitude(v\(a), v\(b))"
        case let .select(a, b, t, o): return "v\(a) < v\(b) ? v\(t) : v\(o)"
        case let .loop(n, s, m, l, f): return "loop \(n)× from v\(s): \(f.name)(acc)/2 + v\(m)/4, fold above v\(l)"
        }
    }
}

struct FuzzProgram: CustomStringConvertible {
    var inputs: Int
    var ops: [FuzzOp] = []
    var outputs: [Int] = []
    /// The weights of the scalar objective Σ wₖ·outputₖ.
    var weights: [Double] = []

    var description: String {
        var s = "inputs \(inputs), outputs \(outputs.map { "v\($0)" }), weights \(weights)\n"
        for (i, op) in ops.enumerated() { s += "  v\(i) = \(op)\n" }
        return s
    }

    /// One loop step (smooth bodies only, so a loop's only kinks are its comparisons).
    @inline(__always)
    static func loopStep<S: Real>(_ acc: S, _ mix: S, _ body: UnaryFunction) -> S {
        S.rule(body, acc) / 2 + mix / 4
    }

    /// Every instruction's value at `x`. `compare` sees each comparison's operands and
    /// whether it is `==` (else `<`), in the order `Traced` records them.
    func values<S: Real>(_ x: [S], compare: (S, S, _ equality: Bool) -> Void = { _, _, _ in }) -> [S] {
        var v: [S] = []
        v.reserveCapacity(ops.count)
        for op in ops {
            switch op {
            case .input(let i): v.append(x[i])
            case .constant(let c): v.append(S(_fuzzConstant: c))
            case let .unary(f, a): v.append(S.rule(f, v[a]))   // one rule application on AD numbers
            case let .binary(f, a, b): v.append(f(v[a], v[b]))
            case let .magnitude(m, a, b):
                // The comparisons `maximumMagnitude` and `minimumMagnitude` take, in order.
                let (x, y) = (v[a], v[b])
                let (s, t) = m ? (y.magnitude, x.magnitude) : (x.magnitude, y.magnitude)
                compare(s, t, false)
                if !(s < t) {
                    compare(t, s, false)
                    if !(t < s) {
                        compare(x, y, true)
                        if !(x == y) {
                            if m { compare(y, y, true) } else {
                                compare(x, x, true)
                                if !(x == x) { compare(y, y, true) }
                            }
                        }
                    }
                }
                v.append(m ? S.maximumMagnitude(x, y) : S.minimumMagnitude(x, y))
            case let .select(a, b, t, o):
                compare(v[a], v[b], false)
                v.append(v[a] < v[b] ? v[t] : v[o])
            case let .loop(n, s, m, l, f):
                var acc = v[s]
                for _ in 0..<n {
                    acc = Self.loopStep(acc, v[m], f)
                    compare(v[l], acc, false)
                    if v[l] < acc { acc = acc - (acc - v[l]) / 2 }
                }
                v.append(acc)
            }
        }
        return v
    }

    func outputs<S: Real>(_ x: [S]) -> [S] {
        let v = values(x)
        return outputs.map { v[$0] }
    }

    /// The scalar objective Σ wₖ·outputₖ.
    func objective<S: Real>(_ x: [S]) -> S {
        let v = values(x)
        var sum: S = 0
        for (k, o) in outputs.enumerated() { sum += S(_fuzzConstant: weights[k]) * v[o] }
        return sum
    }

    /// The outcomes of the comparisons taken at `x`.
    func branches(at x: [Double]) -> [Bool] {
        var outcomes: [Bool] = []
        _ = values(x) { a, b, equality in outcomes.append(equality ? a == b : a < b) }
        return outcomes
    }
}

extension Real {
    /// A Double constant as this type (at any nesting of Autodiff's number types).
    init(_fuzzConstant c: Double) {
        if let s = c as? Self { self = s; return }
        if let t = Self.self as? any AutodiffNumber.Type { self = t._fuzzLift(c) as! Self; return }
        self = Self(Int(c))   // never reached: every type in the fuzzer is Double or an AD number over it
    }
}

extension AutodiffNumber {
    static func _fuzzLift(_ c: Double) -> Self { Self(constant: Value(_fuzzConstant: c)) }
}

// MARK: - Generation

/// Builds random programs: every rule of the table, with arguments mapped into its
/// domain by other rules (u² + c, tanh(u)·0.9, ...), shared and unused
/// subexpressions, branches, loops and several outputs.
struct FuzzGenerator {
    var random: FuzzRandom
    static let unaries = UnaryFunction.allCases
    static let binaries = BinaryFunction.allCases
    static let smooth: [UnaryFunction] = [.sin, .cos, .tanh, .atan, .erf, .sigmoid, .asinh, .softplus]

    private var program = FuzzProgram(inputs: 1)

    init(seed: UInt64) { random = FuzzRandom(seed: seed) }

    @discardableResult
    private mutating func emit(_ op: FuzzOp) -> Int {
        program.ops.append(op)
        return program.ops.count - 1
    }

    private mutating func constant(_ c: Double) -> Int { emit(.constant(c)) }

    /// An existing value, biased toward recent ones (so chains form) but often shared.
    private mutating func operand() -> Int {
        let n = program.ops.count
        if random.chance(0.5) { return n - 1 - random.below(Swift.min(n, 3)) }
        return random.below(n)
    }

    /// u² + c: at least c.
    private mutating func atLeast(_ c: Double, _ u: Int) -> Int {
        emit(.binary(.add, emit(.binary(.multiply, u, u)), constant(c)))
    }

    /// `f` applied to `u` mapped into its domain.
    private mutating func apply(_ f: UnaryFunction, _ u: Int) -> Int {
        switch f {
        case .sqrt, .log, .log2, .log10, .root(2), .logGamma, .gamma: return emit(.unary(f, atLeast(0.3, u)))
        case .logOnePlus: return emit(.unary(f, atLeast(-0.6, u)))
        case .acosh: return emit(.unary(f, atLeast(1.2, u)))
        case .atanh, .acos, .asin:
            return emit(.unary(f, emit(.binary(.multiply, emit(.unary(.tanh, u)), constant(0.9)))))
        case .tan: return emit(.unary(f, emit(.binary(.multiply, emit(.unary(.atan, u)), constant(0.9)))))
        default: return emit(.unary(f, u))
        }
    }

    private mutating func apply(_ f: BinaryFunction, _ a: Int, _ b: Int) -> Int {
        switch f {
        case .pow:
            // The exponent's conventions at y = 0 and y = 1 are known weak spots: often a constant.
            switch random.below(4) {
            case 0: return emit(.binary(.pow, atLeast(0.3, a), constant(random.pick([0.0, 1.0, 2.0, 0.5]))))
            case 1: return emit(.binary(.pow, constant(random.pick([0.0, 2.0])), atLeast(0.4, b)))
            default: return emit(.binary(.pow, atLeast(0.3, a), b))
            }
        default: return emit(.binary(f, a, b))
        }
    }

    /// A program with 1–3 inputs and 1–3 outputs.
    mutating func program(size: Int) -> FuzzProgram {
        program = FuzzProgram(inputs: 1 + random.below(3))
        for i in 0..<program.inputs { emit(.input(i)) }
        while program.ops.count < size {
            switch random.below(20) {
            case 0..<9: _ = apply(random.pick(Self.unaries), operand())
            case 9..<16: _ = apply(random.pick(Self.binaries), operand(), operand())
            case 16:
                emit(.magnitude(maximum: random.chance(0.5), operand(), operand()))
            case 17:
                let a = operand(), b = operand(), t = operand(), o = operand()
                emit(.select(a: a, b: b, then: t, otherwise: o))
            case 18:
                emit(.loop(count: 1 + random.below(4), start: operand(), mix: operand(), limit: operand(),
                           body: random.pick(Self.smooth)))
            default:
                // An unused subexpression, often singular: sqrt(u − u), acosh(u/u), root(u − u, 3).
                let u = operand()
                let zero = emit(.binary(.subtract, u, u))
                switch random.below(3) {
                case 0: emit(.unary(.sqrt, zero))
                case 1: emit(.unary(.acosh, emit(.binary(.divide, u, u))))
                default: emit(.unary(.root(3), zero))
                }
                emit(.binary(.add, u, u))   // something used after it
            }
        }
        let m = 1 + random.below(3)
        let n = program.ops.count
        program.outputs = (0..<m).map { k in k == 0 ? n - 1 : random.below(n) }
        program.weights = (0..<m).map { _ in random.uniform(-1, 1) }
        return program
    }
}
