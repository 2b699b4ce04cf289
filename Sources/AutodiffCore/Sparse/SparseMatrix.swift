// A sparse matrix as the colourings recover it: a SparsityPattern and one value per entry.

/// A sparse matrix: a ``SparsityPattern`` and one value per pattern entry, in the pattern's
/// compressed-sparse-row order, with dense and coordinate (COO) views.
///
/// ```swift
/// let p = SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0, 1], [1]])
/// let a = SparseMatrix(pattern: p, values: [1.0, 2.0, 3.0])
/// a[0, 1]      // 2.0
/// a[1, 0]      // 0.0 (outside the pattern)
/// a.dense      // [[1.0, 2.0], [0.0, 3.0]]
/// ```
public struct SparseMatrix<T: Numeric> {
    /// Where the entries are.
    public let pattern: SparsityPattern
    /// `values[k]` is the value of pattern entry `k`: row `i` holds
    /// `values[pattern.rowStart[i]..<pattern.rowStart[i + 1]]`, at the columns
    /// `pattern.columnIndices` has at the same positions.
    public var values: [T]

    /// A matrix from its pattern and one value per pattern entry (CSR order).
    ///
    /// ```swift
    /// let identity = SparseMatrix(
    ///     pattern: SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0], [1]]), values: [1.0, 1.0])
    /// ```
    @inlinable
    public init(pattern: SparsityPattern, values: [T]) {
        autodiffRequire(
            values.count == pattern.nonzeroCount, "SparseMatrix(pattern:values:)",
            "\(values.count) values for a pattern of \(pattern.nonzeroCount) entries")
        self.pattern = pattern
        self.values = values
    }

    /// A matrix of zeros with the given pattern, e.g. to recover into again and again with
    /// ``JacobianColouring/recover(compressed:into:)``.
    ///
    /// ```swift
    /// var hessian = SparseMatrix<Double>(pattern: colouring.pattern)
    /// colouring.recover(compressed: buffer, into: &hessian)
    /// ```
    @inlinable
    public init(pattern: SparsityPattern) {
        self.pattern = pattern
        self.values = Array(repeating: 0, count: pattern.nonzeroCount)
    }

    /// The entries of a dense `rowCount × columnCount` matrix that the pattern holds (the
    /// others are dropped).
    ///
    /// ```swift
    /// let lower = SparseMatrix(
    ///     pattern: SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0], [0, 1]]),
    ///     dense: [[1.0, 5.0], [2.0, 3.0]])   // values [1, 2, 3]
    /// ```
    public init(pattern: SparsityPattern, dense: [[T]]) {
        let operation = "SparseMatrix(pattern:dense:)"
        autodiffRequire(
            dense.count == pattern.rowCount && dense.allSatisfy { $0.count == pattern.columnCount }, operation,
            "the dense matrix has \(dense.count) rows of lengths \(Set(dense.map(\.count)).sorted()), "
                + "but the pattern is \(pattern.rowCount) × \(pattern.columnCount)")
        var values: [T] = []
        values.reserveCapacity(pattern.nonzeroCount)
        for i in 0..<pattern.rowCount {
            for j in pattern.columns(inRow: i) { values.append(dense[i][j]) }
        }
        self.init(pattern: pattern, values: values)
    }

    /// The number of rows.
    @inlinable public var rowCount: Int { pattern.rowCount }
    /// The number of columns.
    @inlinable public var columnCount: Int { pattern.columnCount }
    /// The number of stored entries (the pattern's).
    @inlinable public var nonzeroCount: Int { pattern.nonzeroCount }

    /// The entry at `(row, column)`: its stored value, or 0 outside the pattern.
    ///
    /// ```swift
    /// let d = a[1, 1]
    /// ```
    @inlinable
    public subscript(row: Int, column: Int) -> T {
        autodiffRequire(
            row >= 0 && row < rowCount && column >= 0 && column < columnCount, "SparseMatrix[row, column]",
            "(\(row), \(column)) is outside the \(rowCount) × \(columnCount) matrix")
        guard let k = pattern.entryIndex(row: row, column: column) else { return 0 }
        return values[k]
    }

    /// The matrix as `rowCount` arrays of `columnCount` values, zeros outside the pattern.
    ///
    /// ```swift
    /// for row in a.dense { print(row) }
    /// ```
    @inlinable
    public var dense: [[T]] {
        (0..<rowCount).map { i in
            var row = [T](repeating: 0, count: columnCount)
            for k in pattern.rowStart[i]..<pattern.rowStart[i + 1] { row[pattern.columnIndices[k]] = values[k] }
            return row
        }
    }

    /// The `(row, column, value)` triplets of the stored entries, in CSR order (the
    /// coordinate, or COO, view).
    ///
    /// ```swift
    /// for (i, j, v) in a.entries { print("a[\(i), \(j)] = \(v)") }
    /// ```
    public var entries: [(row: Int, column: Int, value: T)] {
        var triplets: [(row: Int, column: Int, value: T)] = []
        triplets.reserveCapacity(nonzeroCount)
        for i in 0..<rowCount {
            for k in pattern.rowStart[i]..<pattern.rowStart[i + 1] {
                triplets.append((i, pattern.columnIndices[k], values[k]))
            }
        }
        return triplets
    }
}

extension SparseMatrix: Sendable where T: Sendable {}
extension SparseMatrix: Equatable {}
extension SparseMatrix: Hashable where T: Hashable {}
