import Foundation

/// The PyTorch reference values of one benchmark problem, read from
/// `shared/bench/reference/<problem>.json`.
///
/// Each file holds a `cases` object keyed by case name (`"n=1000"`, `"gmm_d2_K5"`, ...);
/// ``ReferenceCase`` gives its numbers flattened row-major.
///
/// ```swift
/// let shared = try SharedData.locate(fromSourceFile: #filePath)
/// let reference = try Reference.load(problem: "rosen-grad", shared: shared)
/// let n1000 = try reference.case("n=1000")
/// let expected = try n1000.numbers("gradient")      // [Double], 1 000 values
/// let f = try n1000.number("objective")
/// ```
public struct Reference: @unchecked Sendable {
    /// The problem id, e.g. `"gmm-grad"`.
    public let problem: String
    /// The file it was read from.
    public let path: String
    /// The problem definition stated in the file.
    public let description: String
    /// The case names, sorted.
    public var caseNames: [String] { cases.keys.sorted() }

    private let cases: [String: [String: Any]]

    /// Reads the reference file of `problem` from the shared folder.
    public static func load(problem: String, shared: SharedData) throws -> Reference {
        try load(path: shared.reference(problem))
    }

    /// Reads a reference file.
    public static func load(path: String) throws -> Reference {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProblemDataError(path: path, message: "cannot read the reference file (missing or unreadable)")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ProblemDataError(path: path, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw ProblemDataError(path: path, message: "the top level is not a JSON object")
        }
        guard let cases = root["cases"] as? [String: Any] else {
            throw ProblemDataError(path: path, message: "no \"cases\" object")
        }
        var parsed: [String: [String: Any]] = [:]
        for (name, value) in cases {
            guard let fields = value as? [String: Any] else {
                throw ProblemDataError(path: path, message: "case \"\(name)\" is not a JSON object")
            }
            parsed[name] = fields
        }
        return Reference(
            problem: root["problem"] as? String ?? "",
            path: path,
            description: root["description"] as? String ?? "",
            cases: parsed)
    }

    /// One case of the file, e.g. `case("n=100")`.
    public func `case`(_ name: String) throws -> ReferenceCase {
        guard let fields = cases[name] else {
            throw ProblemDataError(path: path, message: "no case \"\(name)\"; the file has \(caseNames.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return ReferenceCase(name: name, path: path, fields: fields)
    }
}

/// One case of a reference file: named numeric fields (scalars, vectors, matrices).
public struct ReferenceCase: @unchecked Sendable {
    /// The case name, e.g. `"gmm_d10_K25"`.
    public let name: String
    let path: String
    let fields: [String: Any]

    /// The field names of this case, sorted.
    public var keys: [String] { fields.keys.sorted() }

    /// A numeric field flattened row-major: a scalar gives one value, a matrix its rows
    /// one after the other. Throws if the field is missing or holds anything but numbers.
    public func numbers(_ key: String) throws -> [Double] {
        guard let value = fields[key] else {
            throw ProblemDataError(path: path, message: "case \"\(name)\" has no field \"\(key)\"; it has \(keys.joined(separator: ", "))")
        }
        var result: [Double] = []
        try flatten(value, key: key, into: &result)
        return result
    }

    /// A scalar numeric field, e.g. `number("objective")`.
    public func number(_ key: String) throws -> Double {
        let values = try numbers(key)
        guard values.count == 1 else {
            throw ProblemDataError(path: path, message: "field \"\(key)\" of case \"\(name)\" holds \(values.count) numbers, expected one")
        }
        return values[0]
    }

    /// A string field, e.g. `string("gradient_layout")`.
    public func string(_ key: String) throws -> String {
        guard let value = fields[key] as? String else {
            throw ProblemDataError(path: path, message: "case \"\(name)\" has no string field \"\(key)\"")
        }
        return value
    }

    private func flatten(_ value: Any, key: String, into result: inout [Double]) throws {
        if let array = value as? [Any] {
            for element in array { try flatten(element, key: key, into: &result) }
        } else if let number = value as? NSNumber {
            result.append(number.doubleValue)
        } else {
            throw ProblemDataError(path: path, message: "field \"\(key)\" of case \"\(name)\" holds a non-number: \(value)")
        }
    }
}

/// The largest relative difference between two equally long arrays, elementwise:
/// `max_i |a_i − b_i| / max(|a_i|, |b_i|, floor)` where `floor` is `relativeFloor` times the
/// largest magnitude in `expected` (entries zero in both count zero). The floor keeps entries
/// that are zero up to rounding (e.g. 1e-20 against an exact 0) from counting as 100 % off;
/// pass `relativeFloor: 0` for the plain elementwise definition of the reference files.
///
/// Returns `.infinity` when the counts differ or a value is NaN.
///
/// ```swift
/// let error = maxRelativeDifference(ours, try referenceCase.numbers("gradient"))
/// let ok = error <= 1e-9
/// ```
public func maxRelativeDifference(_ actual: [Double], _ expected: [Double], relativeFloor: Double = 1e-12) -> Double {
    guard actual.count == expected.count else { return .infinity }
    var scale = 0.0
    for value in expected { scale = Swift.max(scale, value.magnitude) }
    let floor = scale * relativeFloor
    var worst = 0.0
    for i in actual.indices {
        let a = actual[i], b = expected[i]
        if a.isNaN || b.isNaN { return .infinity }
        if a == b { continue }
        let difference = (a - b).magnitude
        let denominator = Swift.max(a.magnitude, b.magnitude, floor)
        worst = Swift.max(worst, difference / denominator)
    }
    return worst
}
