// Ordinary numeric Swift of the kind scientific code is full of, compiled with
// `import Autodiff`: scripts/typecheck/measure.py type-checks this file with and without
// the import and fails when an expression takes much longer with it. Nothing here uses
// Autodiff; the point is that importing it costs ordinary code nothing.
import Autodiff  // TYPECHECK-IMPORT

@inline(never) func consume<T>(_ x: T) { _ = x }

func corpus(_ n: Int) {
    let d = 10
    let w: [Double] = (0..<d).map { i in Double(i % 3) - 1.0 + 0.1 * Double(i) }
    let xs: [Double] = (0..<n).map { Double($0) / Double(n) }
    let ys = xs.map { 2.0 * $0 + 1.0 }
    let mean = xs.reduce(0, +) / Double(xs.count)
    let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)
    let sd = variance.squareRoot()
    let z = xs.map { ($0 - mean) / sd }
    let dot = zip(xs, ys).map { $0 * $1 }.reduce(0, +)
    let norm = xs.map { $0 * $0 }.reduce(0, +).squareRoot()
    let poly = 3.0 * mean * mean * mean - 2.0 * mean * mean + 0.5 * mean - 1.0
    let horner = ((((1.0 * mean + 2.0) * mean + 3.0) * mean + 4.0) * mean + 5.0)
    let mixed = Double(n) * 0.5 + Double(d) / 3.0 - 1.0
    let ratio = Double(n - 1) / Double(n + 1) * 2.0 - 1.0
    let grid = (0..<d).map { i in (0..<d).map { j in Double(i * d + j) * 0.01 } }
    let trace = (0..<d).reduce(0.0) { $0 + grid[$1][$1] }
    let rowSums = grid.map { $0.reduce(0, +) }
    let colSums = (0..<d).map { j in grid.reduce(0.0) { $0 + $1[j] } }
    let matvec = grid.map { row in zip(row, w).map { $0 * $1 }.reduce(0, +) }
    let scaled = w.map { $0 * 2 + 1 }
    let clipped = w.map { Swift.min(Swift.max($0, -0.5), 0.5) }
    let relu = w.map { $0 > 0 ? $0 : 0 }
    let softmaxDen = w.map { Double.exp($0) }.reduce(0, +)
    let softmax = w.map { Double.exp($0) / softmaxDen }
    let logistic = w.map { 1.0 / (1.0 + Double.exp(-$0)) }
    let loss = zip(xs, ys).map { (x, y) in (2.0 * x + 1.0 - y) * (2.0 * x + 1.0 - y) }.reduce(0, +) / Double(n)
    let step = 0.01
    var theta = [0.0, 0.0]
    for _ in 0..<10 {
        let g0 = zip(xs, ys).map { (x, y) in 2.0 * (theta[0] * x + theta[1] - y) * x }.reduce(0, +) / Double(n)
        let g1 = zip(xs, ys).map { (x, y) in 2.0 * (theta[0] * x + theta[1] - y) }.reduce(0, +) / Double(n)
        theta[0] -= step * g0
        theta[1] -= step * g1
    }
    let t = 0.25
    let rk = t + 0.5 * step * (1.0 + 2.0 * t) + step * step / 6.0
    let angle = Double.pi * 2.0 * Double(n % 7) / 7.0
    let circle = (Double.cos(angle) * 3.0 + 1.0, Double.sin(angle) * 3.0 - 1.0)
    let distance = ((circle.0 - 1.0) * (circle.0 - 1.0) + (circle.1 + 1.0) * (circle.1 + 1.0)).squareRoot()
    let fahrenheit = [12.5, 18.0, 21.3].map { $0 * 9 / 5 + 32 }
    let ints = (1...d).map { $0 * $0 + 2 * $0 + 1 }
    let intSum = ints.reduce(0, +) + 3 * d - 7
    let frac = Double(intSum) / Double(d * d) + 0.5
    let ranges = stride(from: 0.0, to: 1.0, by: 0.125).map { $0 * $0 - 0.5 * $0 }
    let floats: [Float] = (0..<d).map { Float($0) * 0.5 + 1.0 }
    let fsum = floats.reduce(0, +) / Float(floats.count) - 0.25
    let lerp = { (a: Double, b: Double, s: Double) in a + (b - a) * s }
    let mid = lerp(1.0, 3.0, 0.5) * 2.0 - 1.0
    let cond = mean > 0.5 ? mean * 2.0 - 1.0 : 1.0 - mean * 2.0
    let powers = (0..<d).map { Double.pow(2.0, Double($0)) - 1.0 }
    let logs = xs.dropFirst().map { Double.log($0) * 0.5 + 1.0 }
    let weighted = zip(w, scaled).map { $0 * 0.3 + $1 * 0.7 }
    let sq = (0..<n).map { i -> Double in let x = Double(i) * 0.1; return x * x - 2 * x + 1 }
    let total = mean + variance + sd + dot + norm + poly + horner + mixed + ratio + trace + loss + rk + distance
    consume((w, z, rowSums, colSums, matvec, clipped, relu, softmax, logistic, theta, fahrenheit, frac, ranges))
    consume((fsum, mid, cond, powers, logs, weighted, sq, total, scaled))
}

corpus(100)
