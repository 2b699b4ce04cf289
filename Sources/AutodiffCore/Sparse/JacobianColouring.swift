// Colouring a Jacobian's columns (or rows) into structurally orthogonal groups, so that one
// forward (or reverse) sweep per colour gives every entry: Curtis–Powell–Reid, by greedy
// distance-2 colouring of the bipartite row/column graph (Gebremedhin, Manne and Pothen,
// "What color is your Jacobian?", SIAM Review 2005, Algorithm 3.2).

/// A partition of a Jacobian's columns (or rows) into structurally orthogonal groups: columns
/// of one colour share no nonzero row, so `J·S` for the 0/1 seed matrix `S` of the colours
/// (`S[j][c] = 1` when column `j` has colour `c`) holds every entry of `J` once.
///
/// Seed tangent lane `c` with 1 at every input of colour `c`, evaluate once, and recover:
///
/// ```swift
/// // J of f(x) = [x0·x1, x1·x2, x2·x3]: bidiagonal, 2 colours
/// let pattern = SparsityPattern(rowCount: 3, columnCount: 4, rows: [[0, 1], [1, 2], [2, 3]])
/// let colouring = JacobianColouring(columnsOf: pattern)      // 2 colours
/// // compressed[i * 2 + c] = Σ over columns j of colour c of J[i][j], from 2 lanes
/// let jacobian: SparseMatrix<Double> = colouring.recover(compressed: compressed)
/// ```
public struct JacobianColouring: Sendable, Hashable {
    /// What is coloured: the columns (forward mode, one tangent per colour) or the rows
    /// (reverse mode, one adjoint per colour).
    public enum Direction: Sendable, Hashable {
        /// Columns sharing no row share a colour; the compressed matrix is `J·S`.
        case columns
        /// Rows sharing no column share a colour; the compressed matrix is `Sᵀ·J`.
        case rows
    }

    /// Whether columns or rows are coloured.
    public let direction: Direction
    /// The Jacobian's pattern (`m × n`, not transposed for ``Direction/rows``).
    public var pattern: SparsityPattern { plan.pattern }
    /// The colour of every column (``Direction/columns``) or row (``Direction/rows``), in
    /// `0..<colourCount`.
    public let colours: [Int]
    /// The number of colours: of tangent (or adjoint) lanes one evaluation needs.
    public let colourCount: Int
    /// Where every entry is read from in the compressed matrix.
    @usableFromInline internal let plan: _RecoveryPlan

    /// Colours the columns of a Jacobian pattern so that no two columns of one colour have an
    /// entry in the same row (greedy distance-2 colouring of the column intersection graph,
    /// the better of largest-first and natural order). A band of half-bandwidth `k` takes
    /// `2k + 1` colours.
    ///
    /// ```swift
    /// let colouring = JacobianColouring(columnsOf: pattern)
    /// // lane c of the tangent seed: 1 at input j when colouring.colours[j] == c
    /// ```
    public init(columnsOf pattern: SparsityPattern) {
        self.init(pattern, .columns)
    }

    /// Colours the rows of a Jacobian pattern so that no two rows of one colour have an entry
    /// in the same column (the column colouring of the transpose), for reverse mode: adjoint
    /// lane `c` is seeded with 1 at every output of colour `c`.
    ///
    /// ```swift
    /// let colouring = JacobianColouring(rowsOf: pattern)
    /// // compressed[c * pattern.columnCount + j] = Σ over rows i of colour c of J[i][j]
    /// ```
    public init(rowsOf pattern: SparsityPattern) {
        self.init(pattern, .rows)
    }

    private init(_ pattern: SparsityPattern, _ direction: Direction) {
        let colours = Self.distance2Colours(direction == .columns ? pattern : pattern.transposed)
        let colourCount = _colourCount(colours)
        let m = pattern.rowCount, n = pattern.columnCount
        var source: [Int] = []
        source.reserveCapacity(pattern.nonzeroCount)
        for i in 0..<m {
            for j in pattern.columns(inRow: i) {
                source.append(direction == .columns ? i * colourCount + colours[j] : colours[i] * n + j)
            }
        }
        self.direction = direction
        self.colours = colours
        self.colourCount = colourCount
        plan = _RecoveryPlan(pattern: pattern, source: source, compressedCount: colourCount * (direction == .columns ? m : n))
    }

    /// The columns (or rows) of every colour: `groups[c]` lists, increasing, those of colour `c`.
    ///
    /// ```swift
    /// for (c, inputs) in colouring.groups.enumerated() { for j in inputs { seed[j][c] = 1 } }
    /// ```
    public var groups: [[Int]] {
        var groups = [[Int]](repeating: [], count: colourCount)
        for (index, colour) in colours.enumerated() { groups[colour].append(index) }
        return groups
    }

    /// A greedy distance-2 colouring of the columns of `pattern`: no two columns with an
    /// entry in the same row get one colour.
    private static func distance2Colours(_ pattern: SparsityPattern) -> [Int] {
        let columnsByRow = pattern, rowsByColumn = pattern.transposed
        let n = pattern.columnCount
        // The degree of every column in the column intersection graph.
        var degree = [Int](repeating: 0, count: n)
        var seenBy = [Int](repeating: -1, count: n)
        for j in 0..<n {
            seenBy[j] = j
            for i in rowsByColumn.columns(inRow: j) {
                for k in columnsByRow.columns(inRow: i) where seenBy[k] != j {
                    seenBy[k] = j
                    degree[j] += 1
                }
            }
        }
        return _fewestColours(degree: degree) { order in
            var colours = [Int](repeating: -1, count: n)
            var forbidden = _ForbiddenColours(vertexCount: n)
            for j in order {
                forbidden.startVertex()
                for i in rowsByColumn.columns(inRow: j) {
                    for k in columnsByRow.columns(inRow: i) where colours[k] >= 0 { forbidden.forbid(colours[k]) }
                }
                colours[j] = forbidden.smallestAllowed
            }
            return colours
        }
    }

    /// Recovers the Jacobian from the compressed product.
    ///
    /// For ``Direction/columns``, `compressed` is `rowCount × colourCount`, row-major:
    /// `compressed[i * colourCount + c]` = Σ over the columns `j` of colour `c` of `J[i][j]`.
    /// For ``Direction/rows``, it is `colourCount × columnCount`, row-major:
    /// `compressed[c * columnCount + j]` = Σ over the rows `i` of colour `c` of `J[i][j]`.
    ///
    /// ```swift
    /// let jacobian = buffer.withUnsafeBufferPointer { colouring.recover(compressed: $0) }
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: UnsafeBufferPointer<T>) -> SparseMatrix<T> {
        plan.recover(compressed, "JacobianColouring.recover(compressed:)")
    }

    /// Recovers the Jacobian from the compressed product held in an array (laid out as for the
    /// buffer-pointer form).
    ///
    /// ```swift
    /// let jacobian: SparseMatrix<Double> = colouring.recover(compressed: compressed)
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: [T]) -> SparseMatrix<T> {
        compressed.withUnsafeBufferPointer { plan.recover($0, "JacobianColouring.recover(compressed:)") }
    }

    /// Recovers the Jacobian into the values of `matrix`, which must have the colouring's
    /// pattern; allocates nothing, so a prepared evaluation can recover again and again.
    ///
    /// ```swift
    /// var jacobian = SparseMatrix<Double>(pattern: colouring.pattern)
    /// colouring.recover(compressed: buffer, into: &jacobian)
    /// ```
    @inlinable
    public func recover<T: Numeric>(compressed: UnsafeBufferPointer<T>, into matrix: inout SparseMatrix<T>) {
        plan.recover(compressed, into: &matrix, "JacobianColouring.recover(compressed:into:)")
    }
}
