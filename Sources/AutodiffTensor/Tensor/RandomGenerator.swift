import AutodiffCore
internal import Synchronization
import RealModule

/// A small, seedable, portable pseudo-random number generator: xoshiro256**
/// (Blackman and Vigna, 2018) seeded through SplitMix64.
///
/// The same seed gives the same sequence on every machine and Swift version,
/// since only 64-bit integer arithmetic is involved; uniform doubles take the
/// top 53 bits, and normal samples use the Box–Muller transform (whose
/// `log`, `sin` and `cos` come from the platform libm, so normals agree across
/// machines to the last bit wherever libm is correctly rounded, as glibc is).
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let noise = Tensor<Double>.randomNormal([3, 3], using: &rng)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// A second normal sample left over from the last Box–Muller pair.
    private var spareNormal: Double?

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
        spareNormal = nil
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform sample in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; samples come in pairs).
    public mutating func nextNormal() -> Double {
        if let s = spareNormal {
            spareNormal = nil
            return s
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = 1 - nextUniform()
        let u2 = nextUniform()
        let r = (-2 * Double.log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * Double.sin(theta)
        return r * Double.cos(theta)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

// MARK: - The default generator

/// The generator that random initialisers use when you pass none (PyTorch's default
/// generator). Seeded with PyTorch's default seed, so a program's runs repeat until you
/// reseed it with ``manualSeed(_:)``.
private let _defaultGenerator = Mutex(RandomGenerator(seed: 67_280_421_310_721))

extension RandomGenerator {
    /// Runs `body` with the default generator (the one ``manualSeed(_:)`` seeds), under a
    /// lock, so that threads drawing from it never share a state.
    ///
    /// ```swift
    /// let u = RandomGenerator.withDefault { $0.nextUniform() }
    /// ```
    public static func withDefault<R>(_ body: (inout RandomGenerator) -> R) -> R {
        _defaultGenerator.withLock { body(&$0) }
    }
}

/// Seeds the default generator that `Linear(1, 32)`, `Tensor.randomNormal(_:)` and the
/// other random initialisers without a `using:` argument draw from, so that runs repeat
/// (PyTorch: `torch.manual_seed`).
///
/// ```swift
/// manualSeed(42)
/// let a = Tensor<Double>.randomNormal([2])
/// manualSeed(42)
/// let b = Tensor<Double>.randomNormal([2])   // a == b
/// ```
public func manualSeed(_ seed: UInt64) {
    _defaultGenerator.withLock { $0 = RandomGenerator(seed: seed) }
}
