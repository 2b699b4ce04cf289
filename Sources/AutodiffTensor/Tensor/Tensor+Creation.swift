import AutodiffCore
import RealModule

extension Tensor {
    /// A tensor of the given shape filled with zeros (`torch.zeros`).
    ///
    /// ```swift
    /// let z = Tensor<Double>.zeros([2, 3])
    /// ```
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 0, requiresGrad: requiresGrad) }

    /// A tensor of the given shape filled with ones (`torch.ones`).
    ///
    /// ```swift
    /// print(Tensor<Double>.ones([2, 2]))
    /// // tensor([[1., 1.],
    /// //         [1., 1.]])
    /// ```
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 1, requiresGrad: requiresGrad) }

    /// A tensor of the given shape filled with `value` (`torch.full`).
    ///
    /// ```swift
    /// let sevens = Tensor<Double>.full([3], 7)
    /// ```
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public static func full(_ shape: [Int], _ value: Scalar, requiresGrad: Bool = false) -> Tensor {
        let count = _elementCount(shape, operation: "full")
        return Tensor(_shape: shape, _scalars: [Scalar](repeating: value, count: count))
            ._leaf(requiresGrad)
    }

    /// Marks a freshly created tensor as a leaf that requires grad (or not).
    func _leaf(_ requiresGrad: Bool) -> Tensor {
        if requiresGrad { _meta.requiresGrad = true }
        return self
    }

    /// `count` evenly spaced values from `start` to `end`, both included (`torch.linspace`).
    ///
    /// ```swift
    /// Tensor<Double>.linspace(from: 0, to: 1, count: 5)
    /// // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    /// ```
    ///
    /// Like PyTorch, the first half is computed from `start` and the second
    /// half backwards from `end`, so both ends are exact.
    public static func linspace(from start: Scalar, to end: Scalar, count: Int, requiresGrad: Bool = false) -> Tensor {
        _linspace(from: start, to: end, count: count)._leaf(requiresGrad)
    }

    static func _linspace(from start: Scalar, to end: Scalar, count: Int) -> Tensor {
        autodiffRequire(count >= 0, "linspace", "count must be non-negative, got \(count)")
        if count == 0 { return Tensor(_shape: [0], _scalars: []) }
        if count == 1 { return Tensor(_shape: [1], _scalars: [start]) }
        let step = (end - start) / Scalar(count - 1)
        let half = count / 2
        var out = [Scalar]()
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(i < half ? start + step * Scalar(i) : end - step * Scalar(count - 1 - i))
        }
        return Tensor(_shape: [count], _scalars: out)
    }

    /// Values `start, start + step, …` below `end` (`torch.arange`).
    ///
    /// ```swift
    /// Tensor<Double>.arange(0, 5)            // tensor([0., 1., 2., 3., 4.])
    /// Tensor<Double>.arange(1, 2, step: 0.25)
    /// ```
    public static func arange(_ start: Scalar, _ end: Scalar, step: Scalar = 1, requiresGrad: Bool = false) -> Tensor {
        _arange(start, end, step: step)._leaf(requiresGrad)
    }

    static func _arange(_ start: Scalar, _ end: Scalar, step: Scalar) -> Tensor {
        autodiffRequire(step != 0 && step.isFinite, "arange", "step must be finite and nonzero, got \(step)")
        let n = ((end - start) / step).rounded(.up)
        let count = n > 0 ? _toInt(n, operation: "arange") : 0
        var out = [Scalar]()
        out.reserveCapacity(count)
        for i in 0..<count { out.append(start + Scalar(i) * step) }
        return Tensor(_shape: [count], _scalars: out)
    }

    /// `0, 1, …, end − 1` (`torch.arange(end)`).
    public static func arange(_ end: Int) -> Tensor {
        autodiffRequire(end >= 0, "arange", "end must be non-negative, got \(end)")
        return Tensor(_shape: [end], _scalars: (0..<end).map { Scalar($0) })
    }

    /// The identity matrix with `rows` rows and `columns` columns (default square).
    ///
    /// ```swift
    /// let i3 = Tensor<Double>.eye(3)
    /// ```
    public static func eye(_ rows: Int, _ columns: Int? = nil, requiresGrad: Bool = false) -> Tensor {
        _eye(rows, columns)._leaf(requiresGrad)
    }

    static func _eye(_ rows: Int, _ columns: Int?) -> Tensor {
        let cols = columns ?? rows
        autodiffRequire(rows >= 0 && cols >= 0, "eye", "negative size \(rows)×\(cols)")
        var out = [Scalar](repeating: 0, count: _elementCount([rows, cols], operation: "eye"))
        for i in 0..<Swift.min(rows, cols) { out[i * cols + i] = 1 }
        return Tensor(_shape: [rows, cols], _scalars: out)
    }

    /// The square matrix with `self` (1-d) on its diagonal (`torch.diag` of a vector).
    ///
    /// ```swift
    /// Tensor<Double>([1, 2]).diagonalMatrix()   // tensor([[1., 0.], [0., 2.]])
    /// ```
    public func diagonalMatrix() -> Tensor {
        autodiffRequire(rank == 1, "diagonalMatrix", "expected a 1-d tensor, got shape \(shape)")
        let n = count
        return _scatterRecorded(into: [n, n], at: (0..<n).map { $0 * n + $0 }, name: "DiagEmbedBackward0")
    }

    /// The main diagonal of the last two dimensions (`torch.diagonal`); for a
    /// matrix of shape `[m, n]` a vector of `min(m, n)` elements.
    ///
    /// ```swift
    /// Tensor<Double>([[1, 2], [3, 4]]).diagonal()   // tensor([1., 4.])
    /// ```
    public func diagonal() -> Tensor {
        autodiffRequire(rank >= 2, "diagonal", "expected at least 2 dimensions, got shape \(shape)")
        let m = shape[rank - 2], n = shape[rank - 1], k = Swift.min(m, n)
        let batch = Array(shape.dropLast(2))
        let b = batch.reduce(1, *)
        var offsets = [Int]()
        offsets.reserveCapacity(b * k)
        for bi in 0..<b {
            for i in 0..<k { offsets.append(bi * m * n + i * n + i) }
        }
        return _gatherRecorded(batch + [k], offsets, name: "DiagonalBackward0")
    }

    /// Samples from a normal distribution (`torch.randn` with a generator).
    ///
    /// ```swift
    /// var rng = RandomGenerator(seed: 0)
    /// let w = Tensor<Double>.randomNormal([2, 3], mean: 0, standardDeviation: 0.1, using: &rng)
    /// ```
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    requiresGrad: Bool = false, using generator: inout RandomGenerator) -> Tensor {
        _randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &generator)._leaf(requiresGrad)
    }

    static func _randomNormal(_ shape: [Int], mean: Scalar, standardDeviation: Scalar,
                              using generator: inout RandomGenerator) -> Tensor {
        let n = _elementCount(shape, operation: "randomNormal")
        var out = [Scalar]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(mean + standardDeviation * Scalar(converting: generator.nextNormal())) }
        return Tensor(_shape: shape, _scalars: out)
    }

    /// Samples uniformly from `[lower, upper)` (`torch.rand` scaled, with a generator).
    ///
    /// ```swift
    /// var rng = RandomGenerator(seed: 0)
    /// let u = Tensor<Double>.randomUniform([4], lower: -1, upper: 1, using: &rng)
    /// ```
    public static func randomUniform(_ shape: [Int], lower: Scalar = 0, upper: Scalar = 1,
                                     requiresGrad: Bool = false, using generator: inout RandomGenerator) -> Tensor {
        _randomUniform(shape, lower: lower, upper: upper, using: &generator)._leaf(requiresGrad)
    }

    static func _randomUniform(_ shape: [Int], lower: Scalar, upper: Scalar,
                               using generator: inout RandomGenerator) -> Tensor {
        let n = _elementCount(shape, operation: "randomUniform")
        var out = [Scalar]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(lower + (upper - lower) * Scalar(converting: generator.nextUniform())) }
        return Tensor(_shape: shape, _scalars: out)
    }

    /// Samples from a normal distribution drawn from the default generator
    /// (`torch.randn`; seed it with ``manualSeed(_:)``).
    ///
    /// ```swift
    /// manualSeed(0)
    /// let w = Tensor<Double>.randomNormal([2, 3], standardDeviation: 0.1)
    /// ```
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    requiresGrad: Bool = false) -> Tensor {
        RandomGenerator.withDefault {
            randomNormal(shape, mean: mean, standardDeviation: standardDeviation, requiresGrad: requiresGrad, using: &$0)
        }
    }

    /// Samples uniformly from `[lower, upper)` with the default generator (`torch.rand`
    /// scaled; seed it with ``manualSeed(_:)``).
    ///
    /// ```swift
    /// let u = Tensor<Double>.randomUniform([4], lower: -1, upper: 1)
    /// ```
    public static func randomUniform(_ shape: [Int], lower: Scalar = 0, upper: Scalar = 1,
                                     requiresGrad: Bool = false) -> Tensor {
        RandomGenerator.withDefault {
            randomUniform(shape, lower: lower, upper: upper, requiresGrad: requiresGrad, using: &$0)
        }
    }

    /// A tensor of the same shape as `self` filled with `value`.
    public func filled(with value: Scalar) -> Tensor { Tensor.full(shape, value) }
}

/// Converts any `Real` scalar to `Double` when it is a binary floating-point
/// type; `nil` otherwise (e.g. for `Dual`).
@inlinable
func _toDouble<T: Real>(_ x: T) -> Double? {
    if let d = x as? Double { return d }
    if let f = x as? Float { return Double(f) }
    if let b = x as? any BinaryFloatingPoint { return Double(b) }
    return nil
}

/// An integral `Real` value as `Int`, by binary search on `T`'s own comparisons
/// (works for any `Real`, including `Dual`).
@usableFromInline
func _toInt<T: Real>(_ x: T, operation: String) -> Int {
    if let d = _toDouble(x) {
        autodiffRequire(d >= 0 && d < Double(Int.max), operation, "the element count \(d) is out of range")
        return Int(d)
    }
    autodiffRequire(x >= 0 && x < T(Int(1) << 52), operation, "the element count \(x) is out of range")
    var lo = 0, hi = 1 << 52
    while lo < hi {
        let mid = (lo + hi + 1) / 2
        if T(mid) <= x { lo = mid } else { hi = mid - 1 }
    }
    return lo
}

extension Tensor {
    /// ``randomNormal(_:mean:standardDeviation:requiresGrad:using:)`` with the
    /// generator first, e.g. `randomNormal([3], using: &rng, requiresGrad: true)`.
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    using generator: inout RandomGenerator, requiresGrad: Bool) -> Tensor {
        randomNormal(shape, mean: mean, standardDeviation: standardDeviation, requiresGrad: requiresGrad, using: &generator)
    }

    /// ``randomUniform(_:lower:upper:requiresGrad:using:)`` with the generator first.
    public static func randomUniform(_ shape: [Int], lower: Scalar = 0, upper: Scalar = 1,
                                     using generator: inout RandomGenerator, requiresGrad: Bool) -> Tensor {
        randomUniform(shape, lower: lower, upper: upper, requiresGrad: requiresGrad, using: &generator)
    }
}
