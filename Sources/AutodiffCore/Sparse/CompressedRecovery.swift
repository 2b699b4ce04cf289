// What the Jacobian and Hessian colourings share: the greedy loop's forbidden-colour marks,
// the vertex orderings, and the recovery plan that turns recovery into one flat gather.

/// For every entry of a pattern, where its value sits in the compressed product: recovery
/// is then `values[k] = compressed[source[k]]`, a loop without branches or searches.
@usableFromInline
internal struct _RecoveryPlan: Sendable, Hashable {
    /// The pattern recovered.
    @usableFromInline let pattern: SparsityPattern
    /// `source[k]`: the index in the compressed buffer of pattern entry `k`'s value.
    @usableFromInline let source: [Int]
    /// The number of elements the compressed buffer must have.
    @usableFromInline let compressedCount: Int

    init(pattern: SparsityPattern, source: [Int], compressedCount: Int) {
        self.pattern = pattern
        self.source = source
        self.compressedCount = compressedCount
    }

    @inlinable
    func recover<T: Numeric>(
        _ compressed: UnsafeBufferPointer<T>, into matrix: inout SparseMatrix<T>, _ operation: @autoclosure () -> String
    ) {
        autodiffRequire(
            compressed.count == compressedCount, operation(),
            "the compressed buffer has \(compressed.count) elements; this colouring needs \(compressedCount)")
        autodiffRequire(
            matrix.pattern == pattern && matrix.values.count == source.count, operation(),
            "the matrix to recover into does not have the colouring's pattern")
        matrix.values.withUnsafeMutableBufferPointer { values in
            source.withUnsafeBufferPointer { source in
                for k in 0..<source.count { values[k] = compressed[source[k]] }
            }
        }
    }

    @inlinable
    func recover<T: Numeric>(_ compressed: UnsafeBufferPointer<T>, _ operation: @autoclosure () -> String) -> SparseMatrix<T> {
        var matrix = SparseMatrix<T>(pattern: pattern)
        recover(compressed, into: &matrix, operation())
        return matrix
    }
}

/// The colours forbidden for the vertex being coloured in a greedy colouring: `mark[c] ==
/// stamp` when colour `c` is, so that starting the next vertex clears them all at once.
internal struct _ForbiddenColours {
    private var mark: [Int]
    private var stamp = 0

    /// Room for the colours of `vertexCount` vertices (a greedy colouring never needs more).
    init(vertexCount: Int) { mark = Array(repeating: 0, count: vertexCount + 1) }

    /// Forgets the colours forbidden for the previous vertex.
    mutating func startVertex() { stamp += 1 }

    mutating func forbid(_ colour: Int) { mark[colour] = stamp }

    var smallestAllowed: Int {
        var colour = 0
        while mark[colour] == stamp { colour += 1 }
        return colour
    }
}

/// The number of colours of a colouring with colours `0..<count`.
internal func _colourCount(_ colours: [Int]) -> Int { (colours.max() ?? -1) + 1 }

/// Runs a greedy colouring in the largest-first order of `degree` (decreasing degree, ties by
/// index) and in natural order, and keeps the one with fewer colours (largest-first on a tie).
internal func _fewestColours(degree: [Int], _ colourInOrder: ([Int]) -> [Int]) -> [Int] {
    let largestFirst = degree.indices.sorted { degree[$0] != degree[$1] ? degree[$0] > degree[$1] : $0 < $1 }
    let first = colourInOrder(largestFirst)
    let second = colourInOrder(Array(degree.indices))
    return _colourCount(second) < _colourCount(first) ? second : first
}
