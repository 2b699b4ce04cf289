import Testing
@testable import AutodiffCore

// FuzzRandom is the fuzzer's SplitMix64 (FuzzProgram.swift): every run tests the same patterns.
extension FuzzRandom {
    /// A nonzero integer-valued Double in ±1...9, so that sums of them are exact.
    fileprivate mutating func value() -> Double { Double(below(9) + 1) * (below(2) == 0 ? 1 : -1) }
}

// MARK: - Patterns

private func banded(_ m: Int, _ n: Int, halfBandwidth k: Int) -> SparsityPattern {
    SparsityPattern(rowCount: m, columnCount: n, rows: (0..<m).map { i in (0..<n).filter { abs($0 - i) <= k } })
}

/// Vertex 0 linked to every other vertex, plus the diagonal.
private func arrowhead(_ n: Int) -> SparsityPattern {
    SparsityPattern(rowCount: n, columnCount: n, rows: (0..<n).map { i in i == 0 ? Array(0..<n) : [0, i] })
}

private func blockDiagonal(_ sizes: [Int]) -> SparsityPattern {
    var rows: [[Int]] = []
    var start = 0
    for b in sizes {
        for _ in 0..<b { rows.append(Array(start..<start + b)) }
        start += b
    }
    return SparsityPattern(rowCount: start, columnCount: start, rows: rows)
}

private func randomPattern(_ m: Int, _ n: Int, entries: Int, _ random: inout FuzzRandom) -> SparsityPattern {
    SparsityPattern(
        rowCount: m, columnCount: n, entries: (0..<entries).map { _ in (random.below(m), random.below(n)) })
}

/// A random symmetric pattern: random off-diagonal pairs, both ways, and some diagonal entries.
private func randomSymmetric(_ n: Int, pairs: Int, _ random: inout FuzzRandom) -> SparsityPattern {
    var entries: [(row: Int, column: Int)] = []
    for _ in 0..<pairs {
        let i = random.below(n), j = random.below(n)
        entries += [(i, j), (j, i)]
    }
    for i in 0..<n where random.below(2) == 0 { entries.append((i, i)) }
    return SparsityPattern(rowCount: n, columnCount: n, entries: entries)
}

/// A dense matrix with random nonzero integers at the pattern's entries (symmetric ones when
/// `symmetric`) and zeros elsewhere.
private func randomMatrix(_ p: SparsityPattern, symmetric: Bool = false, _ random: inout FuzzRandom) -> [[Double]] {
    var a = [[Double]](repeating: [Double](repeating: 0, count: p.columnCount), count: p.rowCount)
    for i in 0..<p.rowCount {
        for j in p.columns(inRow: i) where !symmetric || j >= i {
            a[i][j] = random.value()
            if symmetric { a[j][i] = a[i][j] }
        }
    }
    return a
}

/// `J·S` (columns) or `Sᵀ·J` (rows) for the colours' seed matrix, laid out as `recover` reads it.
private func compress(_ a: [[Double]], colours: [Int], colourCount: Int, rows: Bool = false) -> [Double] {
    let m = a.count, n = a.first?.count ?? 0
    var c = [Double](repeating: 0, count: colourCount * (rows ? n : m))
    for i in 0..<m {
        for j in 0..<n {
            if rows { c[colours[i] * n + j] += a[i][j] } else { c[i * colourCount + colours[j]] += a[i][j] }
        }
    }
    return c
}

// MARK: - Colouring properties

/// No two columns of one colour share a row.
private func isStructurallyOrthogonal(_ p: SparsityPattern, _ colours: [Int]) -> Bool {
    (0..<p.rowCount).allSatisfy { i in
        let c = p.columns(inRow: i).map { colours[$0] }
        return Set(c).count == c.count
    }
}

/// A proper colouring of the graph of `p` (diagonal ignored) with no two-coloured path on
/// four vertices, checked by brute force over every path a–b–c–d.
private func isStarColouring(_ p: SparsityPattern, _ colours: [Int]) -> Bool {
    let n = p.rowCount
    let neighbours = (0..<n).map { v in p.columns(inRow: v).filter { $0 != v } }
    for b in 0..<n {
        for c in neighbours[b] {
            if colours[b] == colours[c] { return false }
            for a in neighbours[b] where a != c {
                for d in neighbours[c] where d != b && d != a {
                    if colours[a] == colours[c] && colours[b] == colours[d] { return false }
                }
            }
        }
    }
    return true
}

/// The recovered matrix equals `a` entry for entry (so it is zero outside the pattern).
private func expectRecovered(
    _ recovered: SparseMatrix<Double>, _ a: [[Double]], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(recovered.dense == a, "\(what)", sourceLocation: sourceLocation)
    for (i, j, value) in recovered.entries {
        #expect(recovered.pattern.contains(row: i, column: j) && a[i][j] == value, sourceLocation: sourceLocation)
    }
}

@Suite("Sparse: patterns, colourings and recovery")
struct ColouringTests {
    // MARK: Patterns

    @Test("a pattern from CSR arrays, entries or rows is the same canonical pattern")
    func patternConstruction() {
        // X . X .
        // . . . .
        // X X . X
        let csr = SparsityPattern(rowCount: 3, columnCount: 4, rowStart: [0, 2, 2, 5], columnIndices: [0, 2, 0, 1, 3])
        let fromEntries = SparsityPattern(
            rowCount: 3, columnCount: 4, entries: [(2, 3), (0, 2), (2, 0), (0, 0), (2, 1), (0, 2), (2, 3)])
        let fromRows = SparsityPattern(rowCount: 3, columnCount: 4, rows: [[2, 0, 2], [], [3, 1, 0, 1]])
        #expect(csr == fromEntries && csr == fromRows && csr.hashValue == fromRows.hashValue)
        #expect(csr.nonzeroCount == 5)
        #expect(Array(csr.columns(inRow: 2)) == [0, 1, 3] && csr.columns(inRow: 1).isEmpty)
        #expect(csr.contains(row: 2, column: 1) && !csr.contains(row: 1, column: 1) && !csr.contains(row: 0, column: 3))
        #expect(csr.entryIndex(row: 2, column: 1) == 3 && csr.entryIndex(row: 0, column: 1) == nil)
        #expect(csr.description == "X.X.\n....\nXX.X")
        #expect(SparsityPattern(rowCount: 0, columnCount: 3, rows: []).description == "")
    }

    @Test("transpose and symmetry")
    func transposeAndSymmetry() {
        let p = SparsityPattern(rowCount: 3, columnCount: 4, rows: [[0, 2], [], [0, 1, 3]])
        let t = p.transposed
        #expect(t.rowCount == 4 && t.columnCount == 3)
        #expect(t.description == "X.X\n..X\nX..\n..X")
        #expect(t.transposed == p)
        #expect(!p.isSymmetric && !t.isSymmetric)
        #expect(arrowhead(5).isSymmetric && banded(6, 6, halfBandwidth: 2).isSymmetric)
        #expect(!SparsityPattern(rowCount: 2, columnCount: 2, rows: [[1], []]).isSymmetric)
        var random = FuzzRandom(seed: 7)
        for _ in 0..<20 {
            let q = randomPattern(1 + random.below(8), 1 + random.below(8), entries: random.below(30), &random)
            #expect(q.transposed.transposed == q)
            for i in 0..<q.rowCount {
                for j in 0..<q.columnCount { #expect(q.contains(row: i, column: j) == q.transposed.contains(row: j, column: i)) }
            }
        }
    }

    @Test("SparseMatrix: subscript, dense and COO views, construction from dense")
    func sparseMatrix() {
        let p = SparsityPattern(rowCount: 2, columnCount: 3, rows: [[0, 2], [1]])
        let a = SparseMatrix(pattern: p, values: [1.0, 2.0, 3.0])
        #expect(a[0, 2] == 2 && a[1, 1] == 3 && a[1, 0] == 0)
        #expect(a.dense == [[1, 0, 2], [0, 3, 0]])
        #expect(a.entries.map { [Double($0.row), Double($0.column), $0.value] } == [[0, 0, 1], [0, 2, 2], [1, 1, 3]])
        #expect(a.rowCount == 2 && a.columnCount == 3 && a.nonzeroCount == 3)
        #expect(SparseMatrix(pattern: p, dense: [[1, 9, 2], [9, 3, 9]]) == a)
        #expect(SparseMatrix<Int>(pattern: p).values == [0, 0, 0])
    }

    // MARK: Jacobian colourings

    @Test("Jacobian colourings recover random matrices exactly, columns and rows")
    func jacobianRecovery() {
        var random = FuzzRandom(seed: 0x5EED)
        var patterns = [
            banded(12, 12, halfBandwidth: 1), banded(20, 15, halfBandwidth: 3), arrowhead(9),
            blockDiagonal([3, 1, 4, 2]), SparsityPattern(rowCount: 4, columnCount: 5, rows: [[], [], [], []]),
            SparsityPattern(rowCount: 0, columnCount: 3, rows: []), SparsityPattern(rowCount: 3, columnCount: 0, rows: [[], [], []]),
        ]
        for _ in 0..<40 {
            let m = 1 + random.below(25), n = 1 + random.below(25)
            patterns.append(randomPattern(m, n, entries: random.below(3 * (m + n)), &random))
        }
        for p in patterns {
            let a = randomMatrix(p, &random)
            for byRows in [false, true] {
                let colouring = byRows ? JacobianColouring(rowsOf: p) : JacobianColouring(columnsOf: p)
                #expect(colouring.direction == (byRows ? .rows : .columns))
                #expect(colouring.pattern == p)
                #expect(colouring.colours.count == (byRows ? p.rowCount : p.columnCount))
                #expect(colouring.colours.allSatisfy { $0 >= 0 && $0 < colouring.colourCount })
                #expect(
                    byRows ? isStructurallyOrthogonal(p.transposed, colouring.colours) : isStructurallyOrthogonal(p, colouring.colours),
                    "\(p)")
                #expect(colouring.groups.flatMap { $0 }.sorted() == Array(colouring.colours.indices))
                let compressed = compress(a, colours: colouring.colours, colourCount: colouring.colourCount, rows: byRows)
                expectRecovered(colouring.recover(compressed: compressed), a, "\(byRows ? "rows" : "columns") of\n\(p)")
                var inPlace = SparseMatrix<Double>(pattern: colouring.pattern)
                compressed.withUnsafeBufferPointer { colouring.recover(compressed: $0, into: &inPlace) }
                compressed.withUnsafeBufferPointer { colouring.recover(compressed: $0, into: &inPlace) }
                #expect(inPlace == compressed.withUnsafeBufferPointer { colouring.recover(compressed: $0) })
                expectRecovered(inPlace, a, "in place")
            }
        }
    }

    @Test("Jacobian colour counts: a band of half-bandwidth k takes 2k + 1, dense blocks their size")
    func jacobianColourCounts() {
        for k in 0...4 {
            for n in [2 * k + 1, 30] {
                #expect(JacobianColouring(columnsOf: banded(n, n, halfBandwidth: k)).colourCount == 2 * k + 1, "k = \(k), n = \(n)")
                #expect(JacobianColouring(rowsOf: banded(n, n, halfBandwidth: k)).colourCount == 2 * k + 1)
            }
        }
        #expect(JacobianColouring(columnsOf: blockDiagonal([4, 4, 2, 3])).colourCount == 4)
        #expect(JacobianColouring(columnsOf: arrowhead(10)).colourCount == 10)  // a dense row
        let bidiagonal = SparsityPattern(rowCount: 3, columnCount: 4, rows: [[0, 1], [1, 2], [2, 3]])
        #expect(JacobianColouring(columnsOf: bidiagonal).colourCount == 2)
    }

    // MARK: Hessian colourings

    @Test("star colourings recover random symmetric matrices exactly")
    func hessianRecovery() {
        var random = FuzzRandom(seed: 0xC0FFEE)
        var patterns = [
            banded(10, 10, halfBandwidth: 1), banded(16, 16, halfBandwidth: 3), arrowhead(8), blockDiagonal([3, 1, 4, 2]),
            SparsityPattern(rowCount: 0, columnCount: 0, rows: []), SparsityPattern(rowCount: 3, columnCount: 3, rows: [[], [], []]),
        ]
        for _ in 0..<60 {
            let n = 1 + random.below(30)
            patterns.append(randomSymmetric(n, pairs: random.below(3 * n), &random))
        }
        for p in patterns {
            let a = randomMatrix(p, symmetric: true, &random)
            let colouring = HessianColouring(p)
            #expect(colouring.pattern == p && colouring.colours.count == p.rowCount)
            #expect(isStarColouring(p, colouring.colours), "\(p)\ncolours \(colouring.colours)")
            let compressed = compress(a, colours: colouring.colours, colourCount: colouring.colourCount)
            expectRecovered(colouring.recover(compressed: compressed), a, "\(p)")
            var inPlace = SparseMatrix<Double>(pattern: p)
            compressed.withUnsafeBufferPointer { colouring.recover(compressed: $0, into: &inPlace) }
            expectRecovered(inPlace, a, "in place")
        }
    }

    @Test("star colour counts: tridiagonal 3, arrowhead 2, dense blocks of size b take b")
    func hessianColourCounts() {
        #expect(HessianColouring(banded(3, 3, halfBandwidth: 1)).colourCount == 2)  // a path of 3: ends share a colour
        for n in [4, 10, 100] { #expect(HessianColouring(banded(n, n, halfBandwidth: 1)).colourCount == 3, "n = \(n)") }
        for n in [3, 10, 100] { #expect(HessianColouring(arrowhead(n)).colourCount == 2, "n = \(n)") }
        for b in 1...6 { #expect(HessianColouring(blockDiagonal(Array(repeating: b, count: 5))).colourCount == b, "b = \(b)") }
        #expect(HessianColouring(SparsityPattern(rowCount: 4, columnCount: 4, rows: [[0], [1], [2], [3]])).colourCount == 1)
    }

    @Test("the colourings meet the star and orthogonality properties on larger random patterns")
    func largerRandomColourings() {
        var random = FuzzRandom(seed: 42)
        for _ in 0..<5 {
            let n = 200
            let p = randomSymmetric(n, pairs: 400, &random)
            let colouring = HessianColouring(p)
            #expect(isStarColouring(p, colouring.colours))
            let a = randomMatrix(p, symmetric: true, &random)
            expectRecovered(
                colouring.recover(compressed: compress(a, colours: colouring.colours, colourCount: colouring.colourCount)), a, "n = 200")
        }
    }
}

/// Exit tests of misuse messages (`scripts/test.sh` runs suites named "…MisuseMessages" again
/// against a release build).
@Suite("Sparse: misuse messages")
struct ColouringMisuseMessages {
    private func expectMessage(_ result: ExitTest.Result?, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(message), "message was: \(stderr)", sourceLocation: sourceLocation)
    }

    @Test("CSR arrays of the wrong length stop with a message naming it")
    func wrongRowStartLength() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparsityPattern(rowCount: 2, columnCount: 2, rowStart: [0, 1], columnIndices: [0])
        }
        expectMessage(result, "rowStart has 2 elements; a pattern of 2 rows needs rowCount + 1 = 3")
    }

    @Test("a decreasing rowStart stops with a message naming the row")
    func decreasingRowStart() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparsityPattern(rowCount: 2, columnCount: 2, rowStart: [0, 3, 2], columnIndices: [0, 1])
        }
        expectMessage(result, "rowStart decreases at row 1: rowStart[1] = 3 > rowStart[2] = 2")
    }

    @Test("unsorted columns stop with a message naming the row")
    func unsortedColumns() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparsityPattern(rowCount: 1, columnCount: 2, rowStart: [0, 2], columnIndices: [1, 0])
        }
        expectMessage(result, "the columns of row 0 are not strictly increasing: 1 comes before 0")
    }

    @Test("entries outside the matrix stop with a message naming them")
    func entriesOutside() async {
        let rows = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparsityPattern(rowCount: 2, columnCount: 3, rows: [[0], [5]])
        }
        expectMessage(rows, "SparsityPattern(rowCount:columnCount:rows:): column 5 in row 1 is outside 0..<3")
        let entries = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparsityPattern(rowCount: 2, columnCount: 3, entries: [(2, 0)])
        }
        expectMessage(entries, "entry (2, 0) is outside the 2 × 3 matrix")
    }

    @Test("a Hessian colouring of a pattern that is not symmetric stops with a message")
    func notSymmetric() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = HessianColouring(SparsityPattern(rowCount: 2, columnCount: 2, rows: [[1], []]))
        }
        expectMessage(result, "HessianColouring(_:): the pattern (2 × 2) is not square and symmetric")
    }

    @Test("a compressed buffer of the wrong size stops with a message giving both sizes")
    func wrongCompressedSize() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let colouring = JacobianColouring(columnsOf: SparsityPattern(rowCount: 3, columnCount: 2, rows: [[0, 1], [0], [1]]))
            _ = colouring.recover(compressed: [1.0, 2.0, 3.0])
        }
        expectMessage(result, "JacobianColouring.recover(compressed:): the compressed buffer has 3 elements; this colouring needs 6")
    }

    @Test("a SparseMatrix index outside the matrix stops with a message")
    func indexOutside() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SparseMatrix<Double>(pattern: SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0], [1]]))[2, 0]
        }
        expectMessage(result, "SparseMatrix[row, column]: (2, 0) is outside the 2 × 2 matrix")
    }
}
