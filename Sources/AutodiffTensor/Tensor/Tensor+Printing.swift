import AutodiffCore
import RealModule

// Printing that follows PyTorch's `torch._tensor_str` with its default print
// options (precision 4, threshold 1000, edgeitems 3, linewidth 80):
// - all nonzero finite values integral: `1.`-style, unless the largest is
//   > 1e8 or the ratio of extremes > 1000, then scientific;
// - otherwise `%.4f`, or `%.4e` when the ratio > 1000, the largest > 1e8 or
//   the smallest < 1e-4;
// - every element right-aligned to the widest, lines wrapped at 80 columns,
//   more than 1000 elements summarised with `...` (3 edge items) and, unlike
//   PyTorch, followed by `, shape=[…]`;
// - an empty tensor prints `tensor([])`, with `size=(…)` unless it is 1-d.
// Scalars other than Float and Double (e.g. `Dual`) print with their own
// `description`.

struct _TensorFormatter {
    var intMode = true
    var sciMode = false
    var maxWidth = 1
    let numeric: Bool

    init(_ values: [Double]?) {
        guard let values else { numeric = false; return }
        numeric = true
        let finite = values.filter { $0.isFinite && $0 != 0 }
        if finite.isEmpty { return }
        let absMin = finite.map(Swift.abs).min()!, absMax = finite.map(Swift.abs).max()!
        intMode = finite.allSatisfy { $0 == $0.rounded(.up) }
        if intMode {
            if absMax / absMin > 1000 || absMax > 1e8 {
                sciMode = true
                for v in finite { maxWidth = Swift.max(maxWidth, _formatted("%.4e", v).count) }
            } else {
                for v in finite { maxWidth = Swift.max(maxWidth, _formatted("%.0f", v).count + 1) }
            }
        } else if absMax / absMin > 1000 || absMax > 1e8 || absMin < 1e-4 {
            sciMode = true
            for v in finite { maxWidth = Swift.max(maxWidth, _formatted("%.4e", v).count) }
        } else {
            for v in finite { maxWidth = Swift.max(maxWidth, _formatted("%.4f", v).count) }
        }
    }

    func format(_ v: Double) -> String {
        var s: String
        if v.isNaN { s = "nan" } else if v.isInfinite { s = v < 0 ? "-inf" : "inf" } else if sciMode {
            s = _formatted("%.4e", v)
        } else if intMode {
            s = _formatted("%.0f", v) + "."
        } else {
            s = _formatted("%.4f", v)
        }
        if s.count < maxWidth { s = String(repeating: " ", count: maxWidth - s.count) + s }
        return s
    }
}

extension Tensor: CustomStringConvertible {
    /// PyTorch-style text, e.g. `tensor([[1., 1.],\n        [1., 1.]])`.
    ///
    /// ```swift
    /// print(Tensor<Double>(25))                                  // tensor(25.)
    /// print(Tensor<Double>.linspace(from: 0, to: 1, count: 3))   // tensor([0.0000, 0.5000, 1.0000])
    /// ```
    public var description: String {
        let prefix = "tensor("
        if count == 0 {
            let size = rank == 1 ? [] : ["size=(\(shape.map(String.init).joined(separator: ", ")))"]
            return Tensor._addSuffixes("tensor([]", size + _autogradSuffixes, indent: 7)
        }
        let summarize = count > 1000
        let doubles = _buffer.elements.map { _toDouble($0) }
        let numeric = doubles.allSatisfy { $0 != nil }
        let values = doubles.map { $0 ?? 0 }
        let strings = numeric ? nil : _buffer.elements.map { "\($0)" }
        let sample = summarize ? _summarizedOffsets(shape, []) : Array(0..<count)
        let formatter = _TensorFormatter(numeric ? sample.map { values[$0] } : nil)
        let width = numeric ? formatter.maxWidth : sample.map { strings![$0].count }.max()!
        func element(_ offset: Int) -> String {
            if numeric { return formatter.format(values[offset]) }
            let s = strings![offset]
            return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
        }
        let body = _format(shape: shape, offset: 0, indent: prefix.count, summarize: summarize,
                           width: width, element: element)
        var suffixes = summarize ? ["shape=\(shape)"] : []
        suffixes += _autogradSuffixes
        return Tensor._addSuffixes(prefix + body, suffixes, indent: prefix.count)
    }

    /// `grad_fn=<Name>` for results of recorded operations, `requires_grad=True`
    /// for leaves that require grad (as PyTorch prints them).
    var _autogradSuffixes: [String] {
        if let f = _meta.gradFn { return ["grad_fn=<\(f.name)>"] }
        return _meta.requiresGrad ? ["requires_grad=True"] : []
    }

    /// PyTorch's `_add_suffixes`: `, suffix` on the last line, or on a new
    /// line indented under the opening parenthesis when it would pass 80 columns.
    static func _addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var out = text
        let lastNewline = text.lastIndex(of: "\n")
        var lastLineLength = lastNewline.map { text.distance(from: $0, to: text.endIndex) + 1 } ?? text.count + 2
        for suffix in suffixes {
            if lastLineLength + suffix.count + 2 > 80 {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.count
            } else {
                out += ", " + suffix
                lastLineLength += suffix.count + 2
            }
        }
        return out + ")"
    }

    /// Offsets of the elements shown when summarising (3 at each end of every dimension).
    private func _summarizedOffsets(_ dims: [Int], _ prefix: [Int]) -> [Int] {
        let st = strides
        var result = [Int]()
        func visit(_ d: Int, _ base: Int) {
            if d == rank { result.append(base); return }
            let n = shape[d]
            let idx = n > 6 ? Array(0..<3) + Array((n - 3)..<n) : Array(0..<n)
            for i in idx { visit(d + 1, base + i * st[d]) }
        }
        visit(0, 0)
        return result
    }

    private func _format(shape: [Int], offset: Int, indent: Int, summarize: Bool, width: Int,
                         element: (Int) -> String) -> String {
        let dim = shape.count
        if dim == 0 { return element(offset) }
        let n = shape[0]
        let inner = shape.dropFirst().reduce(1, *)
        if dim == 1 {
            let elementLength = width + 2
            let perLine = Swift.max(1, (80 - indent) / elementLength)
            var data: [String]
            if summarize && n > 6 {
                data = (0..<3).map { element(offset + $0) } + [" ..."] + ((n - 3)..<n).map { element(offset + $0) }
            } else {
                data = (0..<n).map { element(offset + $0) }
            }
            var lines = [String]()
            var i = 0
            while i < data.count {
                lines.append(data[i..<Swift.min(i + perLine, data.count)].joined(separator: ", "))
                i += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let sub = Array(shape.dropFirst())
        func slice(_ i: Int) -> String {
            _format(shape: sub, offset: offset + i * inner, indent: indent + 1, summarize: summarize,
                    width: width, element: element)
        }
        var slices: [String]
        if summarize && n > 6 {
            slices = (0..<3).map(slice) + ["..."] + ((n - 3)..<n).map(slice)
        } else {
            slices = (0..<n).map(slice)
        }
        let separator = "," + String(repeating: "\n", count: dim - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }
}
