import Foundation
import RealModule
import Testing
@testable import AutodiffTensor
@testable import AutodiffCore

/// A case from Tests/AutodiffTests/Fixtures/tensor/*.json, generated once by
/// scripts/fixtures/make_tensor_fixtures.py with NumPy.
struct TensorFixture: CustomStringConvertible, Sendable {
    let name: String
    let op: String
    let args: [String: FixtureValue]
    let inputs: [Tensor<Double>]
    let output: Tensor<Double>?
    let outputs: [Tensor<Double>]
    let text: String?
    var description: String { name }

    static func load(_ file: String) -> [TensorFixture] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tensor/\(file)")
        let data = try! Data(contentsOf: url)
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { c in
            func tensor(_ any: Any?) -> Tensor<Double>? {
                guard let d = any as? [String: Any] else { return nil }
                return Tensor(shape: (d["shape"] as! [NSNumber]).map(\.intValue),
                              scalars: (d["data"] as! [NSNumber]).map(\.doubleValue))
            }
            return TensorFixture(
                name: c["name"] as! String, op: c["op"] as! String,
                args: ((c["args"] as? [String: Any]) ?? [:]).mapValues(FixtureValue.init),
                inputs: (c["inputs"] as! [Any]).map { tensor($0)! },
                output: tensor(c["output"]), outputs: ((c["outputs"] as? [Any]) ?? []).map { tensor($0)! },
                text: c["text"] as? String)
        }
    }
}

/// A JSON argument value.
enum FixtureValue: Sendable {
    case null, number(Double), string(String), bool(Bool), list([FixtureValue])
    init(_ any: Any) {
        switch any {
        case let n as NSNumber: self = .number(n.doubleValue)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .list(a.map(FixtureValue.init))
        default: self = .null
        }
    }
    var int: Int? { if case .number(let d) = self { return Int(d) }; return nil }
    var double: Double? { if case .number(let d) = self { return d }; return nil }
    var bool: Bool? {
        switch self { case .bool(let b): return b; case .number(let d): return d != 0; default: return nil }
    }
    var ints: [Int]? { if case .list(let l) = self { return l.map { $0.int! } }; return nil }
    var list: [FixtureValue]? { if case .list(let l) = self { return l }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
}

/// Shapes equal and every element within `tol` relative to max(1, |expected|).
func expectClose<S: Real>(_ actual: Tensor<S>, _ expected: Tensor<Double>, tol: Double = 1e-10,
                          _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(context): shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    for (a, e) in zip(actual.scalars, expected.scalars) {
        let ad = _toDouble(a)!
        let ok = ad == e || Swift.abs(ad - e) <= tol * Swift.max(1, Swift.abs(e))
        if !ok {
            Issue.record("\(context): \(ad) vs expected \(e)\n got \(actual)\n expected \(expected)",
                         sourceLocation: sourceLocation)
            return
        }
    }
}

extension UnaryFunction {
    /// Looks a function up by its `name` (the fixtures use the same names).
    static func named(_ name: String) -> UnaryFunction? {
        if name.hasPrefix("power(") { return .power(Int(name.dropFirst(6).dropLast())!) }
        if name.hasPrefix("root(") { return .root(Int(name.dropFirst(5).dropLast())!) }
        return allCases.first { "\($0)" == name || $0.name == name }
    }
}
