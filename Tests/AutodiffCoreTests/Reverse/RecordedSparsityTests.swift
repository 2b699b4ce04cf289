import RealModule
import BenchmarkProblems
import Testing
@testable import AutodiffCore

/// A random sparse function: output i = Σ over its pattern's entries j of a random
/// nonlinear term in x_j (and, for Hessians, products of pairs in the pattern).
struct SparseProblem: CustomStringConvertible {
    enum Shape: CaseIterable { case banded, arrow, blockDiagonal, random }
    let shape: Shape
    let n: Int
    /// For each output, the inputs it reads, and for each pair of them whether they are multiplied.
    var terms: [[(Int, Int, UnaryFunction)]]

    var description: String { "\(shape) n=\(n)" }

    init(_ shape: Shape, n: Int, random: inout FuzzRandom) {
        self.shape = shape
        self.n = n
        let functions: [UnaryFunction] = [.sin, .exp, .tanh, .atan, .negate, .sigmoid]
        var rows: [[Int]] = []
        for i in 0..<n {
            var cols: Set<Int>
            switch shape {
            case .banded: cols = Set((i - 2)...(i + 2)).filter { $0 >= 0 && $0 < n }
            case .arrow: cols = i == 0 ? Set(0..<n) : [0, i]
            case .blockDiagonal: cols = Set((i / 4 * 4)..<Swift.min(n, i / 4 * 4 + 4))
            case .random: cols = Set((0..<3).map { _ in random.below(n) })
            }
            rows.append(cols.sorted())
        }
        terms = rows.map { cols in
            var t: [(Int, Int, UnaryFunction)] = []
            for a in cols {
                t.append((a, a, random.pick(functions)))
                if let b = cols.randomElement(using: &random), random.chance(0.5) { t.append((a, b, .sin)) }
            }
            return t
        }
    }

    func outputs<S: Real>(_ x: [S]) -> [S] {
        terms.map { t in
            t.reduce(S.zero) { acc, term in
                let (a, b, f) = term
                let u = a == b ? S.rule(f, x[a]) : S.rule(f, x[a] * x[b])
                // A branch: the sign of x_a picks the term's scale.
                return x[a] > 0 ? acc + u : acc - 2 * u
            }
        }
    }

    func objective<S: Real>(_ x: [S]) -> S { outputs(x).reduce(S.zero, +) }
}

extension FuzzRandom: RandomNumberGenerator {}

@Suite("Sparse Jacobians and Hessians of a recorded function")
struct RecordedSparsityTests {
    @Test("patterns of small functions, and what the pattern of a branching function means")
    func patterns() throws {
        let f = RecordedFunction(at: [1.0, 2.0, 3.0]) { x in [x[0] * x[1], Traced.sin(x[2]), x[0] + Traced(constant: 2)] }
        #expect(f.jacobianSparsity == SparsityPattern(rowCount: 3, columnCount: 3, rows: [[0, 1], [2], [0]]))
        #expect(f.hessianSparsity == SparsityPattern(rowCount: 3, columnCount: 3, rows: [[1], [0], [2]]))
        let g = RecordedFunction(at: [1.0, 2.0]) { x in x[0] > 0 ? x[0] * x[0] : x[0] * x[1] }
        #expect(g.hessianSparsity == SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0], []]))
        _ = try g.sparseHessian(at: [-1.0, 2.0])
        #expect(g.recordings == 2)
        #expect(g.hessianSparsity == SparsityPattern(rowCount: 2, columnCount: 2, rows: [[1], [0]]))
        let rosen = RecordedFunction(at: (0..<50).map { 0.9 * Double.cos(Double($0)) }) { rosenbrock($0) }
        #expect(HessianColouring(rosen.hessianSparsity).colourCount == 3)
    }

    @Test("sparse results equal the dense ones on banded, arrow, block-diagonal and random problems, across branches")
    func sparseEqualsDense() throws {
        var random = FuzzRandom(seed: 12)
        var checked = 0
        for shape in SparseProblem.Shape.allCases {
            for n in [1, 5, 17] {
                let p = SparseProblem(shape, n: n, random: &random)
                let x0 = (0..<n).map { _ in random.uniform(-1, 1) }
                let f = RecordedFunction(at: x0) { x in p.outputs(x) }
                let scalar = RecordedFunction(at: x0) { x in p.objective(x) }
                for _ in 0..<6 {
                    let x = (0..<n).map { _ in random.uniform(-1, 1) }
                    let J = jacobian(at: x) { x in p.outputs(x) }
                    for mode in [JacobianMode.forward, .reverse, .automatic] {
                        // Forward lanes compute each entry as the dense forward Jacobian does; reverse
                        // passes sum in another order: the last bit may differ.
                        let sparse = try f.sparseJacobian(at: x, mode: mode).dense
                        let worst = zip(sparse.joined(), J.joined()).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
                        #expect(worst <= 1e-14, "\(p) \(mode) at \(x): off by \(worst)")
                        if mode == .forward { #expect(sparse == J, "\(p) forward at \(x)") }
                    }
                    // The dense operators go through the colourings when they save passes.
                    for mode in [JacobianMode.forward, .reverse] {
                        let dense = try f.jacobian(at: x, mode: mode)
                        let worst = zip(dense.joined(), J.joined()).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
                        #expect(worst <= 1e-14, "\(p) dense \(mode) at \(x): off by \(worst)")
                    }
                    let H = hessian(at: x) { x in p.objective(x) }
                    let viaReplay = try scalar.hessian(at: x)
                    let worstH = zip(viaReplay.joined(), H.joined()).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
                    #expect(worstH <= 1e-13, "\(p) dense Hessian by replay at \(x): off by \(worstH)")
                    let sparse = try scalar.sparseHessian(at: x)
                    for i in 0..<n {
                        for j in 0..<n {
                            if !sparse.pattern.contains(row: i, column: j) {
                                #expect(H[i][j] == 0, "\(p): H[\(i)][\(j)] = \(H[i][j]) outside the pattern")
                            }
                            #expect(Swift.abs(sparse[i, j] - H[i][j]) <= 1e-13 * Swift.max(1, Swift.abs(H[i][j])),
                                    "\(p) H[\(i)][\(j)] at \(x): \(sparse[i, j]) vs \(H[i][j])")
                        }
                    }
                    checked += 1
                }
                // The branches changed between points: recorded again, never a stale pattern.
                #expect(f.recordings >= 1 && scalar.recordings >= 1)
            }
        }
        #expect(checked == 72)
    }

    @Test("with .throwError, a sparse evaluation across a changed branch throws")
    func throwsAcrossBranches() {
        let f = RecordedFunction(at: [1.0, 2.0], onBranchChange: .throwError) { x in x[0] > 0 ? x[0] * x[1] : x[1] * x[1] }
        #expect(throws: RecordedGradientError.self) { try f.sparseHessian(at: [-1.0, 2.0]) }
        #expect(throws: RecordedGradientError.self) { try f.sparseJacobian(at: [-1.0, 2.0]) }
    }
}
