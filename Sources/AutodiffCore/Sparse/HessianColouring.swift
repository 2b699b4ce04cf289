// Star colouring of a symmetric pattern (Gebremedhin, Manne and Pothen, "What color is your
// Jacobian?", SIAM Review 2005, section 4; Coleman and Moré 1984): a distance-1 colouring in
// which every path on four vertices uses at least three colours. Then every entry of H can be
// read directly from the compressed product H·S, which is what ColPack's star colouring and
// CppAD's "cppad.symmetric" do.

/// A symmetric (star) colouring of a Hessian's pattern: `H·S` for the colours' 0/1 seed
/// matrix `S` lets every entry `H[i][j]` be read directly, from column `colour(j)` at row `i`
/// or from column `colour(i)` at row `j`.
///
/// Diagonal entries of the pattern are allowed and are not edges of the graph coloured. A
/// tridiagonal pattern takes 3 colours, an arrowhead 2, dense diagonal blocks of size `b`
/// take `b`.
///
/// ```swift
/// // the Hessian of Σ (x[i+1] − x[i]²)² is tridiagonal
/// let n = 5
/// let pattern = SparsityPattern(rowCount: n, columnCount: n,
///                               rows: (0..<n).map { i in Array(max(0, i - 1)...min(n - 1, i + 1)) })
/// let colouring = HessianColouring(pattern)          // 3 colours
/// // one evaluation with 3 tangent lanes gives compressed[i * 3 + c] = Σ over j of colour c of H[i][j]
/// let hessian: SparseMatrix<Double> = colouring.recover(compressed: compressed)
/// ```
public struct HessianColouring: Sendable, Hashable {
    /// The Hessian's pattern: square and symmetric, both triangles stored.
    public var pattern: SparsityPattern { plan.pattern }
    /// The colour of every variable, in `0..<colourCount`.
    public let colours: [Int]
    /// The number of colours: of tangent lanes one evaluation needs.
    public let colourCount: Int
    /// Where every entry is read from in the compressed matrix.
    @usableFromInline internal let plan: _RecoveryPlan

    /// Star-colours a square symmetric pattern (greedy, the better of largest-first and
    /// natural order); stops with a message when the pattern is not square and symmetric.
    ///
    /// ```swift
    /// let colouring = HessianColouring(pattern)
    /// // lane c of the tangent seed: 1 at variable j when colouring.colours[j] == c
    /// ```
    public init(_ pattern: SparsityPattern) {
        autodiffRequire(
            pattern.isSymmetric, "HessianColouring(_:)",
            "the pattern (\(pattern.rowCount) × \(pattern.columnCount)) is not square and symmetric; "
                + "a Hessian's pattern must hold (j, i) whenever it holds (i, j)")
        let n = pattern.rowCount
        let mirror = Self.mirrorPositions(pattern)
        let colours = Self.starColours(pattern, mirror)
        let colourCount = _colourCount(colours)

        // unique[k]: entry k = (i, j) is the only one of its row with colour(j), so
        // compressed[i][colour(j)] is H[i][j] alone.
        var unique = [Bool](repeating: false, count: pattern.nonzeroCount)
        var tally = [Int](repeating: 0, count: colourCount)
        for i in 0..<n {
            let row = pattern.columns(inRow: i)
            for j in row { tally[colours[j]] += 1 }
            for k in row.indices { unique[k] = tally[colours[row[k]]] == 1 }
            for j in row { tally[colours[j]] = 0 }
        }
        var source: [Int] = []
        source.reserveCapacity(pattern.nonzeroCount)
        for i in 0..<n {
            for k in pattern.columns(inRow: i).indices {
                let j = pattern.columnIndices[k]
                if unique[k] {
                    source.append(i * colourCount + colours[j])
                } else {
                    // Internal invariant: in a star colouring, if row i has another column of
                    // colour(j) and row j another of colour(i), those four vertices would form
                    // a two-coloured path.
                    precondition(unique[mirror[k]], "HessianColouring: the star colouring is not a star colouring")
                    source.append(j * colourCount + colours[i])
                }
            }
        }
        self.colours = colours
        self.colourCount = colourCount
        plan = _RecoveryPlan(pattern: pattern, source: source, compressedCount: n * colourCount)
    }

    /// For every entry `k = (i, j)` of a symmetric pattern, the position of `(j, i)`.
    private static func mirrorPositions(_ pattern: SparsityPattern) -> [Int] {
        var mirror = [Int](repeating: 0, count: pattern.nonzeroCount)
        var next = Array(pattern.rowStart.dropLast())
        // Rows i come in increasing order, so the entries (j, i) of every row j are met in
        // their CSR order.
        for i in 0..<pattern.rowCount {
            for k in pattern.columns(inRow: i).indices {
                let j = pattern.columnIndices[k]
                mirror[k] = next[j]
                next[j] += 1
            }
        }
        return mirror
    }

    /// A greedy star colouring: every vertex, in turn, takes the smallest colour that no
    /// neighbour has and that closes no two-coloured path on four vertices (`a–b–c–d` with
    /// colour(a) = colour(c) and colour(b) = colour(d)) among the vertices coloured so far.
    /// Every such path is checked when its last vertex is coloured, whether that vertex ends
    /// the path or is inside it, so the colouring is exact rather than conservative.
    private static func starColours(_ graph: SparsityPattern, _ mirror: [Int]) -> [Int] {
        let n = graph.rowCount
        let neighbours = graph.columnIndices
        let degree = (0..<n).map { v in graph.columns(inRow: v).count(where: { $0 != v }) }
        return _fewestColours(degree: degree) { order in
            var colours = [Int](repeating: -1, count: n)
            // twoOfColour[p] for the entry p = (w, x): x has a neighbour other than w with
            // colour(w), so x is the centre of a two-coloured star with at least two edges.
            var twoOfColour = [Bool](repeating: false, count: graph.nonzeroCount)
            var forbidden = _ForbiddenColours(vertexCount: n)
            // How many coloured neighbours of v have each colour (valid where seenAt == v).
            var count = [Int](repeating: 0, count: n + 1), seenAt = [Int](repeating: -1, count: n + 1)
            for v in order {
                forbidden.startVertex()
                for p in graph.rowStart[v]..<graph.rowStart[v + 1] {
                    let w = neighbours[p]
                    guard w != v, colours[w] >= 0 else { continue }
                    forbidden.forbid(colours[w])
                    if seenAt[colours[w]] != v { seenAt[colours[w]] = v; count[colours[w]] = 0 }
                    count[colours[w]] += 1
                    // v at the end of v–w–x–y: colour(v) = colour(x) would repeat colour(y) = colour(w).
                    for q in graph.rowStart[w]..<graph.rowStart[w + 1] {
                        let x = neighbours[q]
                        if x != v && x != w && colours[x] >= 0 && twoOfColour[q] { forbidden.forbid(colours[x]) }
                    }
                }
                // v inside w–v–x–y with colour(w) = colour(x): colour(v) = colour(y) is forbidden.
                for p in graph.rowStart[v]..<graph.rowStart[v + 1] {
                    let x = neighbours[p]
                    guard x != v, colours[x] >= 0, count[colours[x]] >= 2 else { continue }
                    for y in graph.columns(inRow: x) where y != v && y != x && colours[y] >= 0 {
                        forbidden.forbid(colours[y])
                    }
                }
                let colour = forbidden.smallestAllowed
                colours[v] = colour
                // Every neighbour x of v with another neighbour of v's colour is now a centre.
                for p in graph.rowStart[v]..<graph.rowStart[v + 1] {
                    let x = neighbours[p]
                    guard x != v else { continue }
                    let row = graph.rowStart[x]..<graph.rowStart[x + 1]
                    guard row.count(where: { colours[neighbours[$0]] == colour }) >= 2 else { continue }
                    for q in row where colours[neighbours[q]] == colour { twoOfColour[mirror[q]] = true }
                }
            }
            return colours
        }
    }

    /// Recovers the Hessian (both triangles) from the compressed product: `compressed` is
    /// `n × colourCount`, row-major, `compressed[i * colourCount + c]` = Σ over the `j` of
    /// colour `c` of `H[i][j]`.
    ///
    /// ```swift
    /// let hessian = buffer.withUnsafeBufferPointer { colouring.recover(compressed: $0) }
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: UnsafeBufferPointer<T>) -> SparseMatrix<T> {
        plan.recover(compressed, "HessianColouring.recover(compressed:)")
    }

    /// Recovers the Hessian from the compressed product held in an array (laid out as for the
    /// buffer-pointer form).
    ///
    /// ```swift
    /// let hessian: SparseMatrix<Double> = colouring.recover(compressed: compressed)
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: [T]) -> SparseMatrix<T> {
        compressed.withUnsafeBufferPointer { plan.recover($0, "HessianColouring.recover(compressed:)") }
    }

    /// Recovers the Hessian into the values of `matrix`, which must have the colouring's
    /// pattern; allocates nothing, so a prepared evaluation can recover again and again.
    ///
    /// ```swift
    /// var hessian = SparseMatrix<Double>(pattern: colouring.pattern)
    /// colouring.recover(compressed: buffer, into: &hessian)
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: UnsafeBufferPointer<T>, into matrix: inout SparseMatrix<T>) {
        plan.recover(compressed, into: &matrix, "HessianColouring.recover(compressed:into:)")
    }
}
