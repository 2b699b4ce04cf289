import AutodiffCore
import RealModule

/// An ADBench LSTM input (`lstm_lL_cC.txt`): parameters, initial state and the character
/// sequence (one-hot-like bit rows).
///
/// ```swift
/// let input = try LSTMInput.load(path: shared.adbench("lstm_l2_c1024.txt"))
/// let loss = lstmObjective(input.parameters, input)
/// let grad = gradient(at: input.parameters) { lstmObjective($0, input) }
/// ```
public struct LSTMInput: Sendable {
    /// Number of layers l.
    public let layers: Int
    /// Hidden size b (also the size of a character row).
    public let hidden: Int
    /// Number of characters c in the sequence.
    public let count: Int
    /// The 2l × 4b main parameters, row-major: per layer a weight row then a bias row, each
    /// made of the blocks `[forget | ingate | outgate | change]`.
    public let main: [Double]
    /// The 3 × b extra parameters, row-major: input weights, output weights, output biases.
    public let extra: [Double]
    /// The 2l × b initial state, row-major: per layer the hidden row then the cell row.
    public let state: [Double]
    /// The c × b sequence, row-major.
    public let sequence: [Double]

    /// The parameter vector `[main | extra]` (length 8·l·b + 3·b), the layout of
    /// ``lstmObjective(_:_:)`` and of the reference gradient.
    public var parameters: [Double] { main + extra }

    public init(layers: Int, hidden: Int, main: [Double], extra: [Double], state: [Double], sequence: [Double]) {
        precondition(layers > 0 && hidden > 0, "LSTMInput needs l > 0 and b > 0")
        precondition(main.count == 8 * layers * hidden && extra.count == 3 * hidden && state.count == 2 * layers * hidden,
                     "LSTMInput: parameter arrays do not match l = \(layers), b = \(hidden)")
        precondition(sequence.count % hidden == 0, "LSTMInput: the sequence is not a whole number of rows of b = \(hidden)")
        self.layers = layers
        self.hidden = hidden
        self.count = sequence.count / hidden
        self.main = main
        self.extra = extra
        self.state = state
        self.sequence = sequence
    }

    /// Reads an ADBench LSTM file: `l c b`, 2l rows of 4b main parameters, 3 rows of b extra
    /// parameters, 2l rows of b state values, c rows of b sequence values.
    public static func load(path: String) throws -> LSTMInput {
        var reader = try TokenReader(path: path)
        let l = try reader.int("l (line 1: l c b)", atLeast: 1)
        let c = try reader.int("c (line 1: l c b)", atLeast: 2)
        let b = try reader.int("b (line 1: l c b)", atLeast: 1)
        let main = try reader.doubles(8 * l * b, "the 2l x 4b main parameters")
        let extra = try reader.doubles(3 * b, "the 3 x b extra parameters")
        let state = try reader.doubles(2 * l * b, "the 2l x b state")
        let sequence = try reader.doubles(c * b, "the c x b sequence")
        try reader.expectEnd("the c x b sequence")
        return LSTMInput(layers: l, hidden: b, main: main, extra: extra, state: state, sequence: sequence)
    }

    /// The same input with only the first `characters` rows of the sequence (at least 2),
    /// for quick checks.
    public func prefix(characters: Int) -> LSTMInput {
        precondition(characters >= 2 && characters <= count, "LSTMInput.prefix needs 2...\(count) characters, got \(characters)")
        return LSTMInput(layers: layers, hidden: hidden, main: main, extra: extra, state: state,
                         sequence: Array(sequence[0..<(characters * hidden)]))
    }
}

/// The ADBench diagonal-LSTM loss. For `t = 0..<c−1`: `x = seq[t] ⊙ in_w`; per layer
/// `f = σ(x⊙w_f + b_f)`, `i = σ(h⊙w_i + b_i)`, `o = σ(x⊙w_o + b_o)`, `g = tanh(h⊙w_g + b_g)`,
/// `c = c⊙f + i⊙g`, `h = o⊙tanh(c)`, `x = h`; then `y = x⊙out_w + out_b`,
/// `ŷ = y − ln(2 + Σ exp(y))`, `total += Σ seq[t+1]⊙ŷ`. The loss is `−total / ((c−1)·b)`.
///
/// - Parameters:
///   - parameters: `[main (2l × 4b) | extra (3 × b)]`, row-major, as ``LSTMInput/parameters``.
///   - input: sizes, initial state and sequence.
///
/// ```swift
/// let loss = lstmObjective(input.parameters, input)
/// ```
@inlinable
public func lstmObjective<S: Real>(_ parameters: [S], _ input: LSTMInput) -> S {
    let l = input.layers, b = input.hidden, c = input.count
    let extraOffset = 8 * l * b
    precondition(parameters.count == extraOffset + 3 * b,
                 "lstmObjective: expected \(extraOffset + 3 * b) parameters for l = \(l), b = \(b), got \(parameters.count)")
    // State (h, c per layer) then x and y: one scratch buffer per call.
    var scratch = [S](repeating: .zero, count: 2 * l * b + 2 * b)
    return scratch.withUnsafeMutableBufferPointer { buffer -> S in
        let state = buffer.baseAddress!
        let x = state + 2 * l * b
        let y = x + b
        for index in 0..<(2 * l * b) { state[index] = S(converting: input.state[index]) }
        return parameters.withUnsafeBufferPointer { p -> S in
            input.sequence.withUnsafeBufferPointer { sequence -> S in
                let inWeight = extraOffset, outWeight = extraOffset + b, outBias = extraOffset + 2 * b
                var total = S.zero
                for t in 0..<(c - 1) {
                    for j in 0..<b { x[j] = S(converting: sequence[t * b + j]) * p[inWeight + j] }
                    for layer in 0..<l {
                        let w = 8 * layer * b          // weight row
                        let bias = w + 4 * b           // bias row
                        let h = state + 2 * layer * b
                        let cell = h + b
                        for j in 0..<b {
                            let forget = sigmoid(x[j] * p[w + j] + p[bias + j])
                            let ingate = sigmoid(h[j] * p[w + b + j] + p[bias + b + j])
                            let outgate = sigmoid(x[j] * p[w + 2 * b + j] + p[bias + 2 * b + j])
                            let change = S.tanh(h[j] * p[w + 3 * b + j] + p[bias + 3 * b + j])
                            let newCell = cell[j] * forget + ingate * change
                            cell[j] = newCell
                            let newHidden = outgate * S.tanh(newCell)
                            h[j] = newHidden
                            x[j] = newHidden
                        }
                    }
                    var sumExp = S.zero
                    for j in 0..<b {
                        let value = x[j] * p[outWeight + j] + p[outBias + j]
                        y[j] = value
                        sumExp += S.exp(value)
                    }
                    let normalizer = S.log(2 + sumExp)
                    for j in 0..<b {
                        let target = sequence[(t + 1) * b + j]
                        if target != 0 {
                            total += S(converting: target) * (y[j] - normalizer)
                        }
                    }
                }
                return -total / S((c - 1) * b)
            }
        }
    }
}

/// The logistic function `1 / (1 + e^(−x))`: one rule of Autodiff's table
/// (`S.sigmoid`), so a recorded LSTM stores one operation per gate, not three.
@inlinable
public func sigmoid<S: Real>(_ x: S) -> S {
    S.sigmoid(x)
}
