import Foundation
import RealModule
import Testing
@testable import AutodiffCore

/// The cross-mode fuzzer: random programs (FuzzProgram.swift), each checked at a random
/// point by every mode against the others.
///
/// Normal suite: a fixed seed and `defaultPrograms` programs. Long run (release):
///
///     AUTODIFF_FUZZ_PROGRAMS=100000 swift test -c release --filter Fuzz
///
/// (`AUTODIFF_FUZZ_SEED` picks another seed.) The report counts programs, points checked,
/// points skipped, individual comparisons and disagreements by class, with the first
/// program of each class.
@Suite("Fuzz: random programs, every mode against the others")
struct FuzzTests {
    static let defaultPrograms = 5000

    @Test("fixed-seed run: forward, reverse, replay, finite differences, Hessians, hvp, changed branches")
    func fixedSeed() {
        let env = ProcessInfo.processInfo.environment
        let programs = env["AUTODIFF_FUZZ_PROGRAMS"].flatMap { Int($0) } ?? Self.defaultPrograms
        let seed = env["AUTODIFF_FUZZ_SEED"].flatMap { UInt64($0) } ?? 11
        var fuzzer = Fuzzer(seed: seed)
        for _ in 0..<programs { fuzzer.runOne() }
        print(fuzzer.report)
        #expect(fuzzer.disagreements.isEmpty, "\(fuzzer.report)")
        #expect(fuzzer.checkedPoints > programs / 3, "too many points skipped: \(fuzzer.report)")
    }
}

struct Fuzzer {
    var generator: FuzzGenerator
    var random: FuzzRandom
    var programs = 0
    var checkedPoints = 0
    var skippedPoints = 0
    var comparisons = 0
    var branchReplays = 0
    /// Finite differences not compared: near a kink, or steps h and h/2 disagreeing.
    var differencesSkipped = 0
    /// Class → (count, first example).
    var disagreements: [String: (count: Int, example: String)] = [:]

    init(seed: UInt64) {
        generator = FuzzGenerator(seed: seed)
        random = FuzzRandom(seed: seed ^ 0xA5A5_A5A5)
    }

    var report: String {
        var s = "Fuzz: \(programs) programs, \(checkedPoints) points checked, \(skippedPoints) skipped "
            + "(near a kink or singularity, or outside the domain), \(comparisons) comparisons "
            + "(\(branchReplays) replays across a changed branch; finite differences left out at "
            + "\(differencesSkipped) points: near a kink, or unresolved by the step), "
            + "\(disagreements.values.map(\.count).reduce(0, +)) disagreements"
        for (k, v) in disagreements.sorted(by: { $0.key < $1.key }) {
            s += "\n- \(k): \(v.count)×, first:\n\(v.example)"
        }
        return s
    }

    // MARK: - Comparisons

    static func close(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
        if a == b || (a.isNaN && b.isNaN) { return true }
        if !a.isFinite || !b.isFinite { return false }
        return Swift.abs(a - b) <= atol + rtol * Swift.max(Swift.abs(a), Swift.abs(b))
    }

    mutating func expect(_ ok: Bool, _ kind: String, _ context: @autoclosure () -> String) {
        comparisons += 1
        guard !ok else { return }
        if let d = disagreements[kind] {
            disagreements[kind] = (d.count + 1, d.example)
        } else {
            disagreements[kind] = (1, context())
        }
    }

    mutating func expectClose(_ a: [Double], _ b: [Double], _ kind: String, rtol: Double, atol: Double,
                              _ context: @autoclosure () -> String) {
        let ok = a.count == b.count && zip(a, b).allSatisfy { Self.close($0, $1, rtol: rtol, atol: atol) }
        expect(ok, kind, "\(context())  \(a)\n  vs \(b)")
    }

    // MARK: - One program

    mutating func runOne() {
        let p = generator.program(size: 8 + generator.random.below(14))
        programs += 1
        // A few tries at a point inside the domain and away from kinks.
        for _ in 0..<4 {
            // Often exactly 0, ±1, 2 or ½ in some coordinates: ties, kinks and the
            // conventions at non-differentiable points (pow at y = 0 or 1, |x| at 0) are met
            // there, where no random real lands.
            let x = (0..<p.inputs).map { _ in
                random.chance(0.25) ? random.pick([0.0, 1.0, -1.0, 2.0, 0.5]) : random.uniform(-2, 2)
            }
            switch Self.screen(p, at: x) {
            case .singular: continue
            case .nearKink: check(p, at: x, finiteDifferences: false)
            case .smooth: check(p, at: x, finiteDifferences: true)
            }
            checkedPoints += 1
            return
        }
        skippedPoints += 1
    }

    enum Screen { case smooth, nearKink, singular }

    /// How far `a` is from `target`: in the max norm of the input to first order where `a`
    /// changes faster than the input, else in `a`'s own units (a value 1e-16 from a pole is
    /// near it even when, by cancellation, it does not move with the input: 1/cos(atan2(x, 0))).
    static func distance(_ a: DualVector<Double, 4>, _ target: Double) -> Double {
        var rate = 0.0
        for k in 0..<4 { rate += Swift.abs(a.partials[k]) }
        return Swift.abs(a.value - target) / Swift.max(rate, 1)
    }

    /// Central differences of `f` at `x` with steps h and h/2 (h = `step`·max(1, |xᵢ|)),
    /// column by column; nil when the two disagree beyond `rtol`, `atol` (the truncation
    /// error is too large to judge: cos of a value moving 10⁴ times faster than x).
    static func centralDifferences(_ f: ([Double]) -> [Double], at x: [Double], step: Double,
                                   rtol: Double, atol: Double) -> [Double]? {
        func differences(_ scale: Double) -> [Double] {
            (0..<x.count).flatMap { j -> [Double] in
                let h = scale * step * Swift.max(1, Swift.abs(x[j]))
                var xp = x, xm = x
                xp[j] += h
                xm[j] -= h
                return zip(f(xp), f(xm)).map { ($0 - $1) / (2 * h) }
            }
        }
        let (coarse, fine) = (differences(1), differences(0.5))
        return zip(coarse, fine).allSatisfy({ close($0, $1, rtol: rtol, atol: atol) }) ? fine : nil
    }

    /// Nearest integer or half-integer: where rounding and remainders jump.
    static func nearestHalf(_ v: Double) -> Double { (2 * v).rounded() / 2 }

    /// Evaluates the program once with four tangent lanes and, for every instruction the
    /// objective uses at this point (the branch taken), measures to first order how far
    /// the input is from the nearest kink (abs, relu, min, max, rounding, remainders, a
    /// comparison: `.nearKink` within 1e-3, where finite differences straddle it) and from
    /// the nearest singularity (a pole or infinite derivative of sqrt, roots, log, divide,
    /// pow, negative powers, tan, acosh, atanh, acos, asin, gamma, atan2 and hypot at the
    /// origin: `.singular` within 1e-2, or any value or first derivative beyond 1e6, or
    /// not finite: then no mode is checked, since the modes may legitimately differ in
    /// how they overflow).
    static func screen(_ p: FuzzProgram, at x: [Double]) -> Screen {
        let seeded = x.enumerated().map { i, xi in
            var d = DualVector<Double, 4>(constant: xi)
            d.partials[i] = 1
            return d
        }
        var gaps: [Double] = []
        let v = p.values(seeded) { a, b, _ in gaps.append(distance(a - b, 0)) }
        // The instructions the outputs use at this point.
        var used = [Bool](repeating: false, count: p.ops.count)
        for o in p.outputs { used[o] = true }
        var kink = Double.infinity, pole = Double.infinity
        for i in stride(from: p.ops.count - 1, through: 0, by: -1) where used[i] {
            let vi = v[i]
            if !vi.value.isFinite || Swift.abs(vi.value) > 1e6 { return .singular }
            for k in 0..<4 where !vi.partials[k].isFinite || Swift.abs(vi.partials[k]) > 1e6 { return .singular }
            switch p.ops[i] {
            case .input, .constant: break
            case let .unary(f, a):
                used[a] = true
                let u = v[a]
                switch f {
                case .abs, .relu: kink = Swift.min(kink, distance(u, 0))
                case .rounded: kink = Swift.min(kink, distance(u, nearestHalf(u.value)))
                case .sqrt, .cbrt, .root, .log, .log2, .log10: pole = Swift.min(pole, distance(u, 0))
                case .power(let n) where n < 0: pole = Swift.min(pole, distance(u, 0))
                case .logOnePlus: pole = Swift.min(pole, distance(u, -1))
                case .acosh: pole = Swift.min(pole, distance(u, 1))
                case .atanh, .acos, .asin: pole = Swift.min(pole, distance(u, 1), distance(u, -1))
                case .gamma where u.value < 0.5, .logGamma where u.value < 0.5:
                    pole = Swift.min(pole, distance(u, u.value.rounded()))
                case .tan:
                    let k = ((u.value - .pi / 2) / .pi).rounded()
                    pole = Swift.min(pole, distance(u, .pi / 2 + k * .pi))
                default: break
                }
            case let .binary(f, a, b):
                used[a] = true
                used[b] = true
                let (s, t) = (v[a], v[b])
                switch f {
                case .minimum, .maximum: kink = Swift.min(kink, distance(s - t, 0))
                case .pow:
                    pole = Swift.min(pole, distance(s, 0))
                    kink = Swift.min(kink, distance(t, 0), distance(t, 1))   // the conventions at y = 0, 1
                case .divide: pole = Swift.min(pole, distance(t, 0))
                case .atan2, .hypot:
                    pole = Swift.min(pole, distance(s, 0) + distance(t, 0))
                    // atan2's branch cut: y = 0 with x < 0, where it jumps between ±π.
                    if f == .atan2 && t.value < 0 { kink = Swift.min(kink, distance(s, 0)) }
                case .remainder, .truncatingRemainder:
                    pole = Swift.min(pole, distance(t, 0))
                    let q = s / t
                    kink = Swift.min(kink, distance(q, nearestHalf(q.value)))
                default: break
                }
            case let .magnitude(_, a, b):
                used[a] = true
                used[b] = true
                kink = Swift.min(kink, distance(v[a].magnitude - v[b].magnitude, 0), distance(v[a], 0), distance(v[b], 0))
            case let .select(a, b, t, o):
                // The compared values too: a jump in them (atan2's cut) flips the branch.
                used[a] = true
                used[b] = true
                used[v[a] < v[b] ? t : o] = true
                kink = Swift.min(kink, distance(v[a] - v[b], 0))
            case let .loop(_, s, m, l, _):
                used[s] = true
                used[m] = true
                used[l] = true
            }
        }
        // Every comparison taken (loops', magnitude ties'), whether or not its result is used.
        kink = gaps.reduce(kink, Swift.min)
        if pole < 1e-2 { return .singular }
        return kink < 1e-3 ? .nearKink : .smooth
    }

    /// Every mode at `x`.
    mutating func check(_ p: FuzzProgram, at x: [Double], finiteDifferences: Bool) {
        let n = x.count
        let where_ = "program:\n\(p)at \(x)\n"
        let f0 = p.objective(x)

        // First order: reverse, forward, replay at this point of a tape recorded elsewhere.
        let (value, g) = valueWithGradient(at: x) { x in p.objective(x) }
        expect(value.bitPattern == f0.bitPattern || (value.isNaN && f0.isNaN), "value: Reverse vs Double", where_)
        let gf = gradientForward(at: x) { x in p.objective(x) }
        // AD against AD: the same rules, summed in another order, so only rounding differs, which
        // cancellation of large terms amplifies (remainder(y, x) with y ≈ x ≈ 10⁵): 1e-7.
        expectClose(g, gf, "gradient: reverse vs forward", rtol: 1e-7, atol: 1e-12, where_)
        let x0 = x.map { $0 + random.uniform(-0.5, 0.5) }
        let tape = RecordedGradient(at: x0) { x in p.objective(x) }
        let changed = p.branches(at: x0) != p.branches(at: x)
        if changed { branchReplays += 1 }
        do {
            let (rv, rg) = try tape.valueWithGradient(at: x)
            expect(rv.bitPattern == value.bitPattern && zip(rg, g).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                   "replay at a new point vs gradient(at:), bit for bit", "\(where_)recorded at \(x0): \(rv), \(rg) vs \(value), \(g)")
            expect(tape.recordings == (changed ? 2 : 1), "replay: re-recorded exactly when a branch changed",
                   "\(where_)recorded at \(x0), recordings \(tape.recordings), changed \(changed)")
        } catch {
            expect(false, "replay threw with the .rerecord policy", "\(where_)\(error)")
        }
        let strict = RecordedGradient(at: x0, onBranchChange: .throwError) { x in p.objective(x) }
        do {
            let sg = try strict.gradient(at: x)
            expect(!changed, "replay across a changed branch returned instead of throwing", "\(where_)recorded at \(x0): \(sg)")
        } catch {
            expect(changed, "replay threw with no branch changed", "\(where_)recorded at \(x0)")
        }
        // Rounding in the differences: about ε·|f|/h.
        let atol = 1e-6 + 1e-7 * Swift.abs(f0)
        if finiteDifferences,
           let fd = Self.centralDifferences({ [p.objective($0)] }, at: x, step: 1e-5, rtol: 1e-5, atol: atol) {
            expectClose(g, fd, "gradient: reverse vs central finite differences", rtol: 1e-4, atol: atol, where_)
        } else {
            differencesSkipped += 1
        }

        // Several outputs: Jacobian forward against reverse.
        if p.outputs.count > 1 {
            let jf = jacobian(at: x) { x in p.outputs(x) }
            let jr = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in p.outputs(x) }
            expectClose(jf.flatMap { $0 }, jr.flatMap { $0 }, "jacobian: forward vs reverse", rtol: 1e-7, atol: 1e-12, where_)
        }

        // Second order: forward over reverse, nested forward, forward over replay; symmetry; hvp.
        let H = hessian(at: x) { x in p.objective(x) }
        // Entries that are 0 come out as rounding noise of the Hessian's scale.
        let hscale = 1e-10 + 1e-13 * (H.flatMap { $0 }.map(Swift.abs).max() ?? 0)
        var nested = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                nested[i][j] = derivative(at: x[i]) { (a: Dual<Double>) -> Dual<Double> in
                    derivative(at: i == j ? a : Dual(constant: x[j])) { (b: Dual<Dual<Double>>) in
                        var inputs = x.map { Dual<Dual<Double>>(constant: Dual(constant: $0)) }
                        inputs[i] = Dual(constant: a)
                        inputs[j] = b
                        return p.objective(inputs)
                    }
                }
            }
        }
        expectClose(H.flatMap { $0 }, nested.flatMap { $0 }, "hessian: forward over reverse vs nested forward",
                    rtol: 1e-7, atol: hscale, where_)
        let dualTape = RecordedGradient(at: x0.map { Dual(constant: $0) }) { x in p.objective(x) }
        var overReplay = nested
        for j in 0..<n {
            let seeded = x.enumerated().map { k, xk in Dual(xk, derivative: k == j ? 1 : 0) }
            if let column = try? dualTape.gradient(at: seeded) {
                for i in 0..<n { overReplay[i][j] = column[i].derivative }
            }
        }
        expectClose(overReplay.flatMap { $0 }, nested.flatMap { $0 }, "hessian: forward over replay vs nested forward",
                    rtol: 1e-7, atol: hscale, where_)
        // Gradients of gradients: reverse over reverse and forward (Dual) over reverse.
        let reverseOverReverse = jacobian(at: x, mode: .reverse) { (x: [Reverse<Double>]) in
            gradient(at: x) { y in p.objective(y) }
        }
        expectClose(reverseOverReverse.flatMap { $0 }, nested.flatMap { $0 },
                    "hessian: reverse over reverse vs nested forward", rtol: 1e-7, atol: hscale, where_)
        let dualOverReverse = jacobian(at: x) { (x: [Dual<Double>]) in gradient(at: x) { y in p.objective(y) } }
        expectClose(dualOverReverse.flatMap { $0 }, nested.flatMap { $0 },
                    "hessian: Dual over reverse vs nested forward", rtol: 1e-7, atol: hscale, where_)
        let transposed = (0..<n).flatMap { j in (0..<n).map { i in H[i][j] } }
        expectClose(H.flatMap { $0 }, transposed, "hessian: symmetry", rtol: 1e-7, atol: hscale, where_)
        let direction = (0..<n).map { _ in random.uniform(-1, 1) }
        let hv = hvp(at: x, direction: direction) { x in p.objective(x) }
        let product = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + H[i][$1] * direction[$1] } }
        expectClose(hv, product, "hvp vs H·v", rtol: 1e-7, atol: hscale, where_)
        checkRecordedFunction(p, at: x, recordedAt: x0, changed: changed, gradient: g, hessian: H,
                              direction: direction, hvp: hv, hscale: hscale, where_)
        // The Hessian against central differences of the reverse gradient (gradgradcheck).
        let gtol = 1e-5 + 1e-6 * (g.map(Swift.abs).max() ?? 0)
        if finiteDifferences, let fdH = Self.centralDifferences({ x in gradient(at: x) { x in p.objective(x) } },
                                                                 at: x, step: 1e-5, rtol: 1e-4, atol: gtol) {
            expectClose(transposed, fdH, "hessian vs central differences of the gradient", rtol: 1e-3, atol: gtol, where_)
        }

        // Along `direction`: Taylor mode's second and third derivatives against vᵀHv and
        // three nested duals.
        let taylor = higherDerivatives(at: x, direction: direction) { (x: [Taylor<Double, 3>]) in p.objective(x) }
        let vHv = (0..<n).reduce(0.0) { $0 + direction[$1] * product[$1] }
        expectClose([taylor[2]], [vHv], "second directional derivative: Taylor vs vᵀHv", rtol: 1e-7, atol: hscale, where_)
        let third = derivative(at: 0.0) { t1 in
            derivative(at: t1) { t2 in
                derivative(at: t2) { t3 in
                    p.objective((0..<n).map { k in Dual(constant: Dual(constant: Dual(constant: x[k]))) + t3 * Dual(constant: Dual(constant: Dual(constant: direction[k]))) })
                }
            }
        }
        expectClose([taylor[3]], [third], "third directional derivative: Taylor vs nested forward", rtol: 1e-7, atol: 10 * hscale, where_)
    }
}

extension Fuzzer {
    /// One recording of the program's outputs at `x0`, replayed at `x` in every mode: values bit
    /// for bit, Jacobians forward and reverse, jvp, vjp, the weighted Hessian and hvp by
    /// forward-over-reverse replay, against the one-shot operators.
    mutating func checkRecordedFunction(_ p: FuzzProgram, at x: [Double], recordedAt x0: [Double], changed: Bool,
                                        gradient g: [Double], hessian H: [[Double]], direction: [Double],
                                        hvp hv: [Double], hscale: Double, _ where_: String) {
        let f = RecordedFunction(at: x0) { x in p.outputs(x) }
        do {
            let y = try f.value(at: x)
            let expected = p.outputs(x)
            expect(zip(y, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                   "RecordedFunction.value vs the program, bit for bit", "\(where_)\(y) vs \(expected)")
            expect(f.recordings == (changed ? 2 : 1), "RecordedFunction re-recorded exactly when a branch changed",
                   "\(where_)recordings \(f.recordings)")
            let jf = jacobian(at: x) { x in p.outputs(x) }
            let rf = try f.jacobian(at: x, mode: .forward)
            expectClose(rf.flatMap { $0 }, jf.flatMap { $0 }, "RecordedFunction.jacobian forward vs jacobian(at:)",
                        rtol: 1e-12, atol: 1e-14, where_)
            let rr = try f.jacobian(at: x, mode: .reverse)
            expectClose(rr.flatMap { $0 }, jf.flatMap { $0 }, "RecordedFunction.jacobian reverse vs jacobian(at:)",
                        rtol: 1e-7, atol: 1e-12, where_)
            let (_, t) = try f.jvp(at: x, direction: direction)
            let jv = jf.map { row in zip(row, direction).reduce(0.0) { $0 + $1.0 * $1.1 } }
            expectClose(t, jv, "RecordedFunction.jvp vs J·v", rtol: 1e-7, atol: 1e-12, where_)
            let (_, c) = try f.vjp(at: x, cotangent: p.weights)
            expectClose(c, g, "RecordedFunction.vjp with the weights vs the objective's gradient", rtol: 1e-7, atol: 1e-12, where_)
            let rH = try f.hessian(at: x, weights: p.weights)
            expectClose(rH.flatMap { $0 }, H.flatMap { $0 }, "RecordedFunction.hessian (replay) vs hessian(at:)",
                        rtol: 1e-7, atol: hscale, where_)
            // Each mode as the first call at x, so that its own pass meets a changed branch.
            let fresh = { RecordedFunction(at: x0) { x in p.outputs(x) } }
            let firstH = try fresh().hessian(at: x, weights: p.weights)
            expectClose(firstH.flatMap { $0 }, H.flatMap { $0 }, "RecordedFunction.hessian as the first call at x",
                        rtol: 1e-7, atol: hscale, where_)
            let firstJ = try fresh().jacobian(at: x, mode: .reverse)
            expectClose(firstJ.flatMap { $0 }, jf.flatMap { $0 }, "RecordedFunction.jacobian reverse as the first call at x",
                        rtol: 1e-7, atol: 1e-12, where_)
            // Many points in one call, in both modes: x0 (where it was recorded), then x, which
            // may change a branch. Only x's block is compared (x0 may be singular).
            for mode in [JacobianMode.reverse, .forward] {
                var batched = [Double](repeating: .nan, count: 2 * jf.count * x.count)
                try fresh().jacobians(at: x0 + x, into: &batched, mode: mode)
                expectClose(Array(batched[(jf.count * x.count)...]), jf.flatMap { $0 },
                            "RecordedFunction.jacobians (\(mode)) at x after x0", rtol: 1e-7, atol: 1e-12, where_)
            }
            // Eight points in one replay with a lane per point (when x takes the recorded branches).
            var eight = [Double](repeating: .nan, count: 8 * jf.count * x.count)
            try fresh().jacobians(at: Array(repeating: x, count: 8).flatMap { $0 }, into: &eight, mode: .reverse)
            expectClose(eight, Array(repeating: jf.flatMap { $0 }, count: 8).flatMap { $0 },
                        "RecordedFunction.jacobians (reverse) at eight points in one replay", rtol: 1e-7, atol: 1e-12, where_)
            let (firstY, firstT) = try fresh().jvp(at: x, direction: direction)
            expect(zip(firstY, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                   "RecordedFunction.jvp's value as the first call at x", "\(where_)\(firstY) vs \(expected)")
            expectClose(firstT, jv, "RecordedFunction.jvp as the first call at x", rtol: 1e-7, atol: 1e-12, where_)
            let firstHV = try fresh().hvp(at: x, direction: direction, weights: p.weights)
            expectClose(firstHV, hv, "RecordedFunction.hvp as the first call at x", rtol: 1e-7, atol: hscale, where_)
            let firstSparse = try fresh().sparseHessian(at: x, weights: p.weights).dense
            expectClose(firstSparse.flatMap { $0 }, H.flatMap { $0 }, "sparseHessian as the first call at x",
                        rtol: 1e-7, atol: hscale, where_)
            let rhv = try f.hvp(at: x, direction: direction, weights: p.weights)
            expectClose(rhv, hv, "RecordedFunction.hvp vs hvp(at:)", rtol: 1e-7, atol: hscale, where_)
            // Sparsity: every nonzero of the dense results lies in the pattern, and the sparse
            // results (compressed by colours) equal the dense ones.
            let jp = f.jacobianSparsity, hp = f.hessianSparsity
            for (r, row) in jf.enumerated() {
                for (c, v) in row.enumerated() where v != 0 && !v.isNaN {
                    expect(jp.contains(row: r, column: c), "Jacobian nonzero outside jacobianSparsity", "\(where_)J[\(r)][\(c)] = \(v)\n\(jp)")
                }
            }
            for (r, row) in H.enumerated() {
                for (c, v) in row.enumerated() where Swift.abs(v) > hscale && !v.isNaN {
                    expect(hp.contains(row: r, column: c), "Hessian nonzero outside hessianSparsity", "\(where_)H[\(r)][\(c)] = \(v)\n\(hp)")
                }
            }
            let sj = try f.sparseJacobian(at: x).dense
            expectClose(sj.flatMap { $0 }, jf.flatMap { $0 }, "sparseJacobian vs jacobian(at:)", rtol: 1e-7, atol: 1e-12, where_)
            let sh = try f.sparseHessian(at: x, weights: p.weights).dense
            expectClose(sh.flatMap { $0 }, H.flatMap { $0 }, "sparseHessian vs hessian(at:)", rtol: 1e-7, atol: hscale, where_)
        } catch {
            expect(false, "RecordedFunction threw with the .rerecord policy", "\(where_)\(error)")
        }
    }
}
