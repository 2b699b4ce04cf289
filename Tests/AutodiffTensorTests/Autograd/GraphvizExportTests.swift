import Testing
import AutodiffTensor
import AutodiffCore

@Suite("Autograd: graph export")
struct GraphvizExportTests {
    @Test func graphvizDOTFollowsTheGraph() {
        let a = Tensor<Double>.ones([2, 3], requiresGrad: true)
        let b = Tensor<Double>.ones([3], requiresGrad: true)
        let out = (sin(a) * 2 + b).sum()
        let dot = out.graphvizDOT(names: ["a": a, "b": b])
        for name in ["SumBackward0", "AddBackward0", "MulBackward0", "SinBackward0", "a\\n(2, 3)", "b\\n(3)", "output\\n()"] {
            #expect(dot.contains("\"\(name)\""), "missing node \(name) in\n\(dot)")
        }
        let nodes = dot.split(separator: "\n").filter { $0.contains("[label=") }
        let edges = dot.split(separator: "\n").filter { $0.contains("->") }
        #expect(nodes.count == 7)   // output, 4 operations, 2 leaves
        #expect(edges.count == 6)   // the constant 2 has no node
        #expect(dot.hasPrefix("digraph") && dot.hasSuffix("}\n"))
        #expect(Tensor<Double>([1]).graphvizDOT().contains("output"))
    }
}
