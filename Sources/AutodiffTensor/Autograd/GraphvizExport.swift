import AutodiffCore
import RealModule

extension Tensor {
    /// The autograd graph behind this tensor in Graphviz DOT, drawn the way
    /// torchviz draws PyTorch's: the tensor itself (green), one box per
    /// backward function (`MulBackward0`, …), and the leaves reached through
    /// `AccumulateGrad` (blue; a leaf found in `names`, e.g. a model's
    /// parameters, is labelled with its name and shape). Edges point from
    /// inputs to outputs.
    ///
    /// ```swift
    /// let a = Tensor<Double>.ones([2, 2], requiresGrad: true)
    /// let out = (a * 2 + 1).sum()
    /// print(out.graphvizDOT(names: ["a": a]))
    /// // digraph autograd { … "SumBackward0" … "MulBackward0" … }
    /// ```
    public func graphvizDOT(names: [String: Tensor<Scalar>] = [:], title: String = "autograd") -> String {
        var lines: [String] = []
        lines.append("digraph \(_dotQuote(title)) {")
        lines.append("    graph [rankdir=BT];")
        lines.append("    node [style=filled, shape=box, align=left, fontsize=10, ranksep=0.1, height=0.2, fontname=monospace];")
        var ids: [ObjectIdentifier: String] = [:]
        var nodeCount = 0
        func id(_ f: GradFunction) -> String {
            let key = ObjectIdentifier(f)
            if let s = ids[key] { return s }
            nodeCount += 1
            let s = "fn\(nodeCount)"
            ids[key] = s
            return s
        }
        let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        lines.append("    output [label=\(_dotQuote("output\n" + shapeText)), fillcolor=darkolivegreen1];")
        guard let root = gradFn else {
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("    \(id(root)) -> output;")
        var stack = [root]
        var visited = Set<ObjectIdentifier>()
        while let f = stack.popLast() {
            guard visited.insert(ObjectIdentifier(f)).inserted else { continue }
            let me = id(f)
            var label = f.name
            var color = "lightgrey"
            if f.name == "AccumulateGrad" {
                color = "lightblue"
                if let meta = f.leaf as? _AutogradMeta<Scalar>,
                   let (name, leaf) = names.sorted(by: { $0.key < $1.key }).first(where: { $0.value._meta === meta }) {
                    label = name + "\n(" + leaf.shape.map(String.init).joined(separator: ", ") + ")"
                }
            }
            lines.append("    \(me) [label=\(_dotQuote(label)), fillcolor=\(color)];")
            for (next, _) in f.nextFunctions {
                guard let next else { continue }
                lines.append("    \(id(next)) -> \(me);")
                stack.append(next)
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The autograd graph rendered to SVG by Graphviz's `dot` program, or `nil`
    /// when `dot` is not installed (the DOT text is then still available from
    /// ``graphvizDOT(names:title:)``).
    ///
    /// ```swift
    /// if let svg = try out.graphvizSVG() { try svg.write(toFile: "graph.svg", atomically: true, encoding: .utf8) }
    /// ```
    ///
    /// - Throws: ``GraphvizError`` when `dot` fails.
    public func graphvizSVG(names: [String: Tensor<Scalar>] = [:]) throws -> String? {
        try renderGraphviz(dot: graphvizDOT(names: names), format: "svg")
    }
}

/// `dot` ran but failed.
public struct GraphvizError: Error, CustomStringConvertible, Sendable {
    /// `dot`'s exit status.
    public let status: Int32
    /// What `dot` wrote to standard error.
    public let message: String
    public var description: String { "dot exited with status \(status): \(message)" }
}

/// The path of Graphviz's `dot` executable on `PATH`, or `nil` when it is not installed.
///
/// ```swift
/// if graphvizDotPath() == nil { print("install graphviz for SVG output") }
/// ```
public func graphvizDotPath() -> String? {
    let path = _environment("PATH") ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = String(dir) + "/dot"
        if _isExecutable(candidate) { return candidate }
    }
    return nil
}

/// Renders DOT text with `dot -T<format>` (e.g. `"svg"`); `nil` when `dot` is not installed.
///
/// ```swift
/// let svg = try renderGraphviz(dot: "digraph { a -> b }", format: "svg")
/// ```
public func renderGraphviz(dot: String, format: String = "svg") throws -> String? {
    guard let executable = graphvizDotPath() else { return nil }
    let result = try _run(executable, ["-T" + format], input: dot)
    guard result.status == 0 else { throw GraphvizError(status: result.status, message: result.error) }
    return result.output
}

/// A DOT string literal.
func _dotQuote(_ s: String) -> String {
    "\"" + _replacingCharacters(s, ["\\": "\\\\", "\"": "\\\"", "\n": "\\n"]) + "\""
}
