// Logistic regression (n = 2000, d = 10) fitted by Newton's method: the gradient and the
// Hessian of the negative log-likelihood come from one closure that reads plain Double data.
import Autodiff

let n = 2000, d = 10
var generator = SystemRandomNumberGenerator()
let trueWeights: [Double] = (0..<d).map { i in Double(i % 3) - 1.0 + 0.1 * Double(i) }
let X: [[Double]] = (0..<n).map { _ in (0..<d).map { _ in Double.random(in: -1...1, using: &generator) } }
let y: [Double] = X.map { row in
    let z = zip(row, trueWeights).map { $0 * $1 }.reduce(0, +)
    return Double.random(in: 0...1, using: &generator) < 1 / (1 + Double.exp(-z)) ? 1 : 0
}

func negativeLogLikelihood<S: Real>(_ w: [S]) -> S {
    var total = S(0)
    for i in 0..<n {
        var z = S(0)
        for j in 0..<d { z += S(converting: X[i][j]) * w[j] }
        // log(1 + e^z) − y·z, with softplus computed without overflow.
        total += S.softplus(z) - S(converting: y[i]) * z
    }
    return total / S(n)
}

/// Solves H·Δ = g by Gaussian elimination with partial pivoting.
func solve(_ H: [[Double]], _ g: [Double]) -> [Double] {
    var a = H, b = g
    let m = b.count
    for k in 0..<m {
        let p = (k..<m).max { abs(a[$0][k]) < abs(a[$1][k]) }!
        a.swapAt(k, p); b.swapAt(k, p)
        for i in (k + 1)..<m {
            let f = a[i][k] / a[k][k]
            for j in k..<m { a[i][j] -= f * a[k][j] }
            b[i] -= f * b[k]
        }
    }
    var x = [Double](repeating: 0, count: m)
    for k in stride(from: m - 1, through: 0, by: -1) {
        let s = ((k + 1)..<m).reduce(b[k]) { $0 - a[k][$1] * x[$1] }
        x[k] = s / a[k][k]
    }
    return x
}

var w = [Double](repeating: 0, count: d)
for step in 1...8 {
    let (loss, g) = valueWithGradient(at: w) { w in negativeLogLikelihood(w) }
    let H = hessian(at: w) { w in negativeLogLikelihood(w) }
    let delta = solve(H, g)
    w = zip(w, delta).map { $0 - $1 }
    let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
    print("step \(step): loss \(loss), |gradient| \(norm)")
    if norm < 1e-10 { break }
}
print("fitted:", w.map { ($0 * 100).rounded() / 100 })
print("true:  ", trueWeights)
