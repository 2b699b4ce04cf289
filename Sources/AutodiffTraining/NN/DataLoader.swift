import AutodiffCore
import AutodiffTensor
import RealModule

/// Paired samples stored along the first axis of two tensors (PyTorch's `TensorDataset`).
///
/// ```swift
/// let data = TensorDataset(inputs: Tensor<Double>.zeros([100, 3]), targets: Tensor<Double>.zeros([100, 1]))
/// data.count   // 100
/// ```
public struct TensorDataset<Scalar: Real> {
    /// The inputs, one sample per index of the first axis.
    public let inputs: Tensor<Scalar>
    /// The targets, one per sample.
    public let targets: Tensor<Scalar>

    /// - Precondition: both tensors have at least one axis, and the same length along the first.
    public init(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) {
        autodiffRequire(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
                        "TensorDataset", "inputs \(inputs.shape) and targets \(targets.shape) must have the same first dimension")
        self.inputs = inputs.detach()
        self.targets = targets.detach()
    }

    /// The number of samples.
    public var count: Int { inputs.shape[0] }

    /// The samples at `indices`, stacked along a new first axis (no autograd history).
    public func batch(_ indices: [Int]) -> (inputs: Tensor<Scalar>, targets: Tensor<Scalar>) {
        (_rows(inputs, indices), _rows(targets, indices))
    }
}

/// Rows `indices` of `t` along axis 0, copied into a new tensor.
private func _rows<S>(_ t: Tensor<S>, _ indices: [Int]) -> Tensor<S> {
    let rowSize = t.shape.dropFirst().reduce(1, *)
    let source = t.scalars
    var out = [S]()
    out.reserveCapacity(indices.count * rowSize)
    for i in indices {
        autodiffRequire(i >= 0 && i < t.shape[0], "TensorDataset", "index \(i) out of range 0..<\(t.shape[0])")
        out.append(contentsOf: source[(i * rowSize)..<((i + 1) * rowSize)])
    }
    return Tensor(shape: [indices.count] + t.shape.dropFirst(), scalars: out)
}

/// Mini-batches over a ``TensorDataset`` (PyTorch's `DataLoader`).
///
/// Each pass (`for batch in loader`) is one epoch. With `shuffle`, every epoch
/// visits the samples in a fresh random order drawn from the loader's own
/// seedable generator, so a run is reproducible from its seed; the last batch
/// is smaller unless `dropLast`.
///
/// ```swift
/// let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 42)
/// for epoch in 0..<10 {
///     for (x, y) in loader {
///         let loss = meanSquaredError(model(x), y)
///         try loss.backward(); optimizer.step(); optimizer.zeroGrad()
///     }
/// }
/// ```
public final class DataLoader<Scalar: Real>: Sequence {
    /// The samples.
    public let dataset: TensorDataset<Scalar>
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch uses a new random order.
    public let shuffle: Bool
    /// Whether a last, smaller batch is skipped.
    public let dropLast: Bool
    private var generator: RandomGenerator

    /// - Precondition: `batchSize > 0`.
    public init(_ dataset: TensorDataset<Scalar>, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0) {
        autodiffRequire(batchSize > 0, "DataLoader", "batch size must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = RandomGenerator(seed: seed)
    }

    /// The number of batches per epoch.
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order of the next epoch: `0..<n`, or a Fisher–Yates shuffle of it.
    public func nextOrder() -> [Int] {
        var order = Array(0..<dataset.count)
        if shuffle { order.shuffle(using: &generator) }
        return order
    }

    /// Iterates over the batches of one epoch.
    public struct Iterator: IteratorProtocol {
        let dataset: TensorDataset<Scalar>
        let order: [Int]
        let batchSize: Int
        let dropLast: Bool
        var position = 0

        public mutating func next() -> (inputs: Tensor<Scalar>, targets: Tensor<Scalar>)? {
            let end = Swift.min(position + batchSize, order.count)
            if position >= end || (dropLast && end - position < batchSize) { return nil }
            defer { position = end }
            return dataset.batch(Array(order[position..<end]))
        }
    }

    /// Starts an epoch (drawing its order when shuffling).
    public func makeIterator() -> Iterator {
        Iterator(dataset: dataset, order: nextOrder(), batchSize: batchSize, dropLast: dropLast)
    }
}
