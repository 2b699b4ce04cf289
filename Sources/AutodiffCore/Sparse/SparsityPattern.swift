// Which entries of a Jacobian or Hessian may be nonzero, in compressed sparse row (CSR) form:
// the structure the colourings of JacobianColouring.swift and HessianColouring.swift work on,
// and the layout of SparseMatrix's values.

/// Which entries of an `m × n` matrix may be nonzero, in compressed sparse row form.
///
/// The columns of row `i` are `columnIndices[rowStart[i]..<rowStart[i + 1]]`, strictly
/// increasing, so one pattern has exactly one representation and two patterns are equal
/// exactly when they hold the same entries. Entry `k` of the pattern (its *CSR position*) is
/// the `k`-th of `columnIndices`; ``SparseMatrix`` keeps its values in that order.
///
/// ```swift
/// let p = SparsityPattern(rowCount: 2, columnCount: 3, entries: [(1, 2), (0, 0), (1, 0), (0, 0)])
/// p.nonzeroCount                    // 3 (the duplicate (0, 0) is merged)
/// p.columns(inRow: 1)               // [0, 2]
/// p.contains(row: 0, column: 1)     // false
/// print(p)                          // X..
///                                   // X.X
/// ```
public struct SparsityPattern: Sendable, Hashable, CustomStringConvertible {
    /// The number of rows, `m`.
    public let rowCount: Int
    /// The number of columns, `n`.
    public let columnCount: Int
    /// Where each row starts in ``columnIndices``: `rowStart.count == rowCount + 1`, and the
    /// columns of row `i` are `columnIndices[rowStart[i]..<rowStart[i + 1]]`, strictly
    /// increasing.
    public let rowStart: [Int]
    /// The column of every entry, row after row.
    public let columnIndices: [Int]

    /// A pattern from its compressed-sparse-row arrays, which are checked: `rowStart` must
    /// have `rowCount + 1` nondecreasing elements from 0 to `columnIndices.count`, and the
    /// columns of every row must be strictly increasing and within `0..<columnCount`.
    ///
    /// ```swift
    /// // [X . X]
    /// // [. X .]
    /// let p = SparsityPattern(rowCount: 2, columnCount: 3, rowStart: [0, 2, 3], columnIndices: [0, 2, 1])
    /// ```
    public init(rowCount: Int, columnCount: Int, rowStart: [Int], columnIndices: [Int]) {
        let operation = "SparsityPattern(rowCount:columnCount:rowStart:columnIndices:)"
        Self.checkShape(rowCount, columnCount, operation)
        autodiffRequire(
            rowStart.count == rowCount + 1, operation,
            "rowStart has \(rowStart.count) elements; a pattern of \(rowCount) rows needs rowCount + 1 = \(rowCount + 1)")
        autodiffRequire(rowStart[0] == 0, operation, "rowStart[0] is \(rowStart[0]), not 0")
        autodiffRequire(
            rowStart[rowCount] == columnIndices.count, operation,
            "rowStart[\(rowCount)] is \(rowStart[rowCount]), but columnIndices has \(columnIndices.count) elements")
        for i in 0..<rowCount {
            autodiffRequire(
                rowStart[i] <= rowStart[i + 1], operation,
                "rowStart decreases at row \(i): rowStart[\(i)] = \(rowStart[i]) > rowStart[\(i + 1)] = \(rowStart[i + 1])")
        }
        for i in 0..<rowCount {
            var previous = -1
            for j in columnIndices[rowStart[i]..<rowStart[i + 1]] {
                autodiffRequire(
                    j >= 0 && j < columnCount, operation,
                    "column \(j) in row \(i) is outside 0..<\(columnCount)")
                autodiffRequire(
                    j > previous, operation,
                    "the columns of row \(i) are not strictly increasing: \(previous) comes before \(j)")
                previous = j
            }
        }
        self.init(unchecked: rowCount, columnCount, rowStart, columnIndices)
    }

    /// A pattern holding the given `(row, column)` entries, in any order; duplicates are merged.
    ///
    /// ```swift
    /// let diagonal = SparsityPattern(rowCount: 3, columnCount: 3, entries: (0..<3).map { ($0, $0) })
    /// ```
    public init(rowCount: Int, columnCount: Int, entries: [(row: Int, column: Int)]) {
        let operation = "SparsityPattern(rowCount:columnCount:entries:)"
        Self.checkShape(rowCount, columnCount, operation)
        var start = [Int](repeating: 0, count: rowCount + 1)
        for (row, column) in entries {
            autodiffRequire(
                row >= 0 && row < rowCount && column >= 0 && column < columnCount, operation,
                "entry (\(row), \(column)) is outside the \(rowCount) × \(columnCount) matrix")
            start[row + 1] += 1
        }
        for i in 0..<rowCount { start[i + 1] += start[i] }
        var next = start
        var columns = [Int](repeating: 0, count: entries.count)
        for (row, column) in entries {
            columns[next[row]] = column
            next[row] += 1
        }
        self = Self.sortingRows(rowCount, columnCount, start, columns)
    }

    /// A pattern from the set of columns of every row (`rows.count == rowCount`), each in any
    /// order; duplicates are merged.
    ///
    /// ```swift
    /// // [X X .]
    /// // [. X X]
    /// let p = SparsityPattern(rowCount: 2, columnCount: 3, rows: [[1, 0], [1, 2]])
    /// ```
    public init(rowCount: Int, columnCount: Int, rows: [[Int]]) {
        let operation = "SparsityPattern(rowCount:columnCount:rows:)"
        Self.checkShape(rowCount, columnCount, operation)
        autodiffRequire(
            rows.count == rowCount, operation, "rows has \(rows.count) rows, but rowCount is \(rowCount)")
        var start = [0]
        start.reserveCapacity(rowCount + 1)
        var columns: [Int] = []
        for (i, row) in rows.enumerated() {
            for column in row {
                autodiffRequire(
                    column >= 0 && column < columnCount, operation,
                    "column \(column) in row \(i) is outside 0..<\(columnCount)")
            }
            columns += row
            start.append(columns.count)
        }
        self = Self.sortingRows(rowCount, columnCount, start, columns)
    }

    /// Stores valid CSR arrays as they are.
    @usableFromInline
    internal init(unchecked rowCount: Int, _ columnCount: Int, _ rowStart: [Int], _ columnIndices: [Int]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.rowStart = rowStart
        self.columnIndices = columnIndices
    }

    private static func checkShape(_ rowCount: Int, _ columnCount: Int, _ operation: String) {
        autodiffRequire(
            rowCount >= 0 && columnCount >= 0, operation,
            "the shape \(rowCount) × \(columnCount) has a negative dimension")
    }

    /// The pattern of CSR arrays whose columns are in range but may be unsorted or repeated
    /// within a row: sorts every row and drops repeats.
    private static func sortingRows(
        _ rowCount: Int, _ columnCount: Int, _ start: [Int], _ columns: [Int]
    ) -> SparsityPattern {
        var rowStart = [0]
        rowStart.reserveCapacity(rowCount + 1)
        var kept: [Int] = []
        kept.reserveCapacity(columns.count)
        for i in 0..<rowCount {
            for j in columns[start[i]..<start[i + 1]].sorted() where kept.count == rowStart[i] || kept.last != j {
                kept.append(j)
            }
            rowStart.append(kept.count)
        }
        return SparsityPattern(unchecked: rowCount, columnCount, rowStart, kept)
    }

    /// The number of entries, `columnIndices.count`.
    public var nonzeroCount: Int { columnIndices.count }

    /// The columns of row `i`, strictly increasing (a slice of ``columnIndices``, whose
    /// indices are the entries' CSR positions).
    ///
    /// ```swift
    /// for k in p.columns(inRow: i).indices { print("entry \(k) is (\(i), \(p.columnIndices[k]))") }
    /// ```
    @inlinable
    public func columns(inRow i: Int) -> ArraySlice<Int> {
        autodiffRequire(
            i >= 0 && i < rowCount, "SparsityPattern.columns(inRow:)", "row \(i) is outside 0..<\(rowCount)")
        return columnIndices[rowStart[i]..<rowStart[i + 1]]
    }

    /// The CSR position of entry `(row, column)` (its index in ``columnIndices`` and in a
    /// ``SparseMatrix``'s values), or `nil` when the pattern does not hold it.
    ///
    /// ```swift
    /// let p = SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0, 1], [1]])
    /// p.entryIndex(row: 1, column: 1)   // 2
    /// p.entryIndex(row: 1, column: 0)   // nil
    /// ```
    @inlinable
    public func entryIndex(row: Int, column: Int) -> Int? {
        autodiffRequire(
            row >= 0 && row < rowCount && column >= 0 && column < columnCount,
            "SparsityPattern.entryIndex(row:column:)",
            "(\(row), \(column)) is outside the \(rowCount) × \(columnCount) matrix")
        var low = rowStart[row], high = rowStart[row + 1]
        while low < high {
            let middle = (low + high) / 2
            if columnIndices[middle] < column { low = middle + 1 } else { high = middle }
        }
        return low < rowStart[row + 1] && columnIndices[low] == column ? low : nil
    }

    /// Whether entry `(row, column)` may be nonzero.
    ///
    /// ```swift
    /// SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0], [0, 1]]).contains(row: 0, column: 1)  // false
    /// ```
    @inlinable
    public func contains(row: Int, column: Int) -> Bool {
        entryIndex(row: row, column: column) != nil
    }

    /// The `n × m` pattern of the transpose.
    ///
    /// ```swift
    /// let p = SparsityPattern(rowCount: 1, columnCount: 3, rows: [[0, 2]])
    /// p.transposed.columns(inRow: 2)    // [0]
    /// ```
    public var transposed: SparsityPattern {
        var start = [Int](repeating: 0, count: columnCount + 1)
        for j in columnIndices { start[j + 1] += 1 }
        for j in 0..<columnCount { start[j + 1] += start[j] }
        var next = start
        var rows = [Int](repeating: 0, count: nonzeroCount)
        for i in 0..<rowCount {
            for j in columnIndices[rowStart[i]..<rowStart[i + 1]] {
                rows[next[j]] = i  // rows are visited in increasing order, so each column's stay sorted
                next[j] += 1
            }
        }
        return SparsityPattern(unchecked: columnCount, rowCount, start, rows)
    }

    /// Whether the pattern is square and holds `(j, i)` whenever it holds `(i, j)`, as the
    /// pattern of a Hessian does.
    ///
    /// ```swift
    /// SparsityPattern(rowCount: 2, columnCount: 2, rows: [[0, 1], [0]]).isSymmetric  // true
    /// ```
    public var isSymmetric: Bool { rowCount == columnCount && self == transposed }

    /// A dense picture of the pattern, one line per row, `X` for an entry and `.` elsewhere.
    ///
    /// ```swift
    /// print(SparsityPattern(rowCount: 2, columnCount: 3, rows: [[0], [1, 2]]))
    /// // X..
    /// // .XX
    /// ```
    public var description: String {
        var lines: [String] = []
        lines.reserveCapacity(rowCount)
        for i in 0..<rowCount {
            var line = [UInt8](repeating: UInt8(ascii: "."), count: columnCount)
            for j in columnIndices[rowStart[i]..<rowStart[i + 1]] { line[j] = UInt8(ascii: "X") }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }
}
