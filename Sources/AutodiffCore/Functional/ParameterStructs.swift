import RealModule

// Structs of named parameters: differentiate with respect to every `Double` stored in a
// `Codable` struct (nested structs, arrays and arrays of structs included) and get the
// gradient back as the same struct, as JAX does with pytrees.
//
// How: the struct's synthesized `Codable` conformance lists its `Double` leaves in a fixed
// order. Encoding gives their values (the inputs of the differentiation); decoding a copy
// whose leaves hold their own positions gives a "probe", from which `p.field` finds the
// variable of any field by key path; decoding with the adjoints in place of the leaves gives
// the gradient as the same struct. Why Codable and not a macro: it costs the user one word
// (`Codable`) and no build time (a macro needs swift-syntax, over a minute of clean build on
// two cores); the encoding runs once per call, not per operation.

/// A struct of parameters that ``gradient(at:of:)-(P,_)`` and friends differentiate with
/// respect to: every `Double` stored in it, in nested `DifferentiableParameters` structs,
/// in `[Double]` and in arrays of such structs, is a variable. Other stored values (`Int`,
/// `String`, `Bool`, `Float`) are carried along as constants. Conforming costs nothing
/// more than `Codable`, which Swift synthesizes.
///
/// ```swift
/// struct Line: DifferentiableParameters { var slope = 1.0; var intercept = 0.0 }
/// let data: [(x: Double, y: Double)] = [(0, 1), (1, 3), (2, 5)]
/// let g = gradient(at: Line()) { p in
///     data.reduce(0) { total, point in
///         let r = p.slope * point.x + p.intercept - point.y
///         return total + r * r
///     }
/// }
/// // g.slope == -16, g.intercept == -12
/// ```
public protocol DifferentiableParameters: Codable {}

/// A ``DifferentiableParameters`` struct seen inside a differentiated closure: each
/// `Double` field reads as the number type `S` of the operator (`Reverse<Double>` in
/// `gradient`); any other field as another `Parameters` view: a nested struct, a
/// `[Double]` whose elements (`p.weights[i]`, `p.weights.elements`) are `S`, an array of
/// structs (`p.layers[i]`, `p.layers.elements`). Constants such as an `Int` field are read
/// from ``base`` (`p.base.steps`).
///
/// Write model code once against it and use it both inside the operators and, through
/// ``init(constantsOf:)``, at plain `Double` values:
///
/// ```swift
/// struct Line: DifferentiableParameters { var slope = 2.0; var intercept = 1.0 }
/// func predict<S: Real>(_ p: Parameters<Line, S>, _ x: Double) -> S {
///     p.slope * S(converting: x) + p.intercept
/// }
/// predict(Parameters(constantsOf: Line()), 3.0)                     // 7.0
/// gradient(at: Line()) { p in predict(p, 3.0) }.slope                // 3.0
/// ```
@dynamicMemberLookup
public struct Parameters<Base: Codable, S: Real> {
    /// The struct's own values (for fields that are not variables).
    public let base: Base
    @usableFromInline let probe: Base
    @usableFromInline let variables: [S]

    @usableFromInline
    init(base: Base, probe: Base, variables: [S]) {
        self.base = base
        self.probe = probe
        self.variables = variables
    }

    /// `base` with every `Double` field as a constant of `S` (no derivative): for
    /// evaluating model code written against `Parameters` at plain values.
    public init(constantsOf base: Base) {
        let layout = _ParameterLayout(base)
        self.init(base: base, probe: layout.probe, variables: layout.leaves.map { S(converting: $0) })
    }

    /// A `Double` field: its variable.
    @inlinable
    public subscript(dynamicMember path: KeyPath<Base, Double>) -> S {
        variables[Int(probe[keyPath: path])]
    }

    /// Any other field: a nested parameter struct, an array (of `Double`s or of structs),
    /// or a constant such as an `Int` (read its value with ``base``).
    @inlinable
    public subscript<U: Codable>(dynamicMember path: KeyPath<Base, U>) -> Parameters<U, S> {
        Parameters<U, S>(base: base[keyPath: path], probe: probe[keyPath: path], variables: variables)
    }
}

extension Parameters where Base == [Double] {
    /// The variable of element `i`.
    @inlinable
    public subscript(i: Int) -> S { variables[Int(probe[i])] }

    /// The variables of every element.
    @inlinable
    public var elements: [S] { probe.map { variables[Int($0)] } }

    /// The number of elements.
    @inlinable
    public var count: Int { probe.count }
}

extension Parameters where Base: RandomAccessCollection, Base.Index == Int, Base.Element: Codable {
    /// Element `i` of an array of parameter structs.
    @inlinable
    public subscript(i: Int) -> Parameters<Base.Element, S> {
        Parameters<Base.Element, S>(base: base[i], probe: probe[i], variables: variables)
    }

    /// Every element of an array of parameter structs.
    @inlinable
    public var elements: [Parameters<Base.Element, S>] {
        zip(base, probe).map { Parameters<Base.Element, S>(base: $0, probe: $1, variables: variables) }
    }

    /// The number of elements.
    @inlinable
    public var count: Int { base.count }
}

extension DifferentiableParameters {
    /// The struct's values seen as ``Parameters`` of plain `Double`s: for evaluating model
    /// code written against `Parameters` outside the operators.
    ///
    /// ```swift
    /// struct Line: DifferentiableParameters { var slope = 2.0; var intercept = 1.0 }
    /// func predict<S: Real>(_ p: Parameters<Line, S>, _ x: Double) -> S { p.slope * S(converting: x) + p.intercept }
    /// predict(Line().values, 3.0)   // 7.0
    /// ```
    public var values: Parameters<Self, Double> { Parameters(constantsOf: self) }
}

// MARK: - Operators

/// The gradient of a scalar function of a parameter struct, as the same struct: each
/// `Double` field holds the partial derivative with respect to that field.
///
/// ```swift
/// struct Quadratic: DifferentiableParameters { var a = 1.0; var b = 2.0 }
/// let g = gradient(at: Quadratic()) { p in p.a * p.a * p.b }   // a: 4.0, b: 1.0
/// ```
public func gradient<P: DifferentiableParameters>(
    at parameters: P, of f: (Parameters<P, Reverse<Double>>) -> Reverse<Double>,
    file: StaticString = #fileID, line: UInt = #line
) -> P {
    valueWithGradient(at: parameters, of: f, file: file, line: line).gradient
}

/// The value and the gradient (as the same struct) of a scalar function of a parameter struct.
///
/// ```swift
/// struct Quadratic: DifferentiableParameters { var a = 1.0; var b = 2.0 }
/// let (v, g) = valueWithGradient(at: Quadratic()) { p in p.a * p.b }   // 2.0, (a: 2, b: 1)
/// ```
public func valueWithGradient<P: DifferentiableParameters>(
    at parameters: P, of f: (Parameters<P, Reverse<Double>>) -> Reverse<Double>,
    file: StaticString = #fileID, line: UInt = #line
) -> (value: Double, gradient: P) {
    let layout = _ParameterLayout(parameters)
    let (value, g) = valueWithGradient(at: layout.leaves, of: { x in
        f(Parameters(base: parameters, probe: layout.probe, variables: x))
    }, file: file, line: line)
    return (value, layout.rebuilt(with: g))
}

/// The Jacobian of a vector function of a parameter struct: one struct per output, whose
/// fields hold that output's partial derivatives (reverse mode, one sweep per output).
///
/// ```swift
/// struct Point: DifferentiableParameters { var x = 1.0; var y = 2.0 }
/// let rows = jacobian(at: Point()) { p in [p.x * p.y, p.x + p.y] }
/// // rows[0]: (x: 2, y: 1), rows[1]: (x: 1, y: 1)
/// ```
public func jacobian<P: DifferentiableParameters>(
    at parameters: P, of f: (Parameters<P, Reverse<Double>>) -> [Reverse<Double>]
) -> [P] {
    let layout = _ParameterLayout(parameters)
    let rows = jacobian(at: layout.leaves, mode: .reverse) { (x: [Reverse<Double>]) in
        f(Parameters(base: parameters, probe: layout.probe, variables: x))
    }
    return rows.map { layout.rebuilt(with: $0) }
}

// MARK: - Codable plumbing

/// A `Codable` value's encoding, taken once: its `Double` leaves in encoding order, the
/// "probe" (the value with each leaf holding its own position), and values rebuilt with
/// other leaves. Every other stored value is carried through unchanged.
@usableFromInline
struct _ParameterLayout<T: Codable> {
    let nodes: [_LeafNode]
    /// The `Double` leaves, in encoding order.
    let leaves: [Double]
    /// The value with its leaves numbered 0, 1, 2, … (exact in a Double up to 2⁵³).
    let probe: T

    init(_ value: T) {
        let encoder = _LeafEncoder()
        do { try value.encode(to: encoder) } catch {
            autodiffFailure("gradient(at:of:)", "could not read the parameters of \(T.self): \(error)")
        }
        nodes = encoder.storage.nodes
        leaves = nodes.compactMap { if case .double(let d) = $0 { d } else { nil } }
        var k = -1.0
        probe = Self.rebuild(nodes) { k += 1; return k }
    }

    /// The value with `newLeaves` in place of its leaves.
    func rebuilt(with newLeaves: [Double]) -> T {
        var k = 0
        return Self.rebuild(nodes) { defer { k += 1 }; return newLeaves[k] }
    }

    private static func rebuild(_ nodes: [_LeafNode], _ nextLeaf: () -> Double) -> T {
        let replaced = nodes.map { node -> _LeafNode in
            if case .double = node { return .double(nextLeaf()) }
            return node
        }
        do {
            return try T(from: _LeafDecoder(_LeafStorage(replaced)))
        } catch {
            autodiffFailure("gradient(at:of:)", """
                could not rebuild \(T.self) from its parameters: \(error). Its Codable conformance must \
                decode what it encodes, in the same order (the synthesized one does).
                """)
        }
    }
}

/// One encoded value, in encoding order: a leaf, or the size of an unkeyed container.
@usableFromInline
enum _LeafNode {
    case double(Double)
    case other(any Sendable)
    case null
    case count(Int)
}

/// The flat list of encoded values shared by an encoder and its containers.
@usableFromInline
final class _LeafStorage {
    var nodes: [_LeafNode]
    var position = 0
    init(_ nodes: [_LeafNode] = []) { self.nodes = nodes }

    func next() throws -> _LeafNode {
        guard position < nodes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "more values decoded than encoded"))
        }
        defer { position += 1 }
        return nodes[position]
    }

    func next<T>(_ type: T.Type) throws -> T {
        let node = try next()
        if case .double(let d) = node, let v = d as? T { return v }
        if case .other(let v) = node, let t = v as? T { return t }
        throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "encoded \(node)"))
    }
}

struct _LeafEncoder: Encoder {
    let storage: _LeafStorage
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    init(_ storage: _LeafStorage = _LeafStorage()) { self.storage = storage }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(_KeyedLeafEncoder<Key>(encoder: self))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let slot = storage.nodes.count
        storage.nodes.append(.count(0))
        return _UnkeyedLeafEncoder(encoder: self, slot: slot)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { _SingleLeafEncoder(encoder: self) }

    func encodeLeaf<T: Encodable>(_ value: T) throws {
        switch value {
        case let d as Double: storage.nodes.append(.double(d))
        case let v as any Sendable & Encodable where _isPrimitive(v): storage.nodes.append(.other(v))
        default: try value.encode(to: self)
        }
    }
}

/// The standard library's primitive Codable types, stored as they are.
private func _isPrimitive(_ v: Any) -> Bool { _isPrimitiveType(type(of: v)) }

struct _KeyedLeafEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _LeafEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    mutating func encodeNil(forKey key: Key) throws { encoder.storage.nodes.append(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder.encodeLeaf(value) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { encoder.storage.nodes.append(.other(true)); try encoder.encodeLeaf(value) } else {
            encoder.storage.nodes.append(.null)
        }
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> { encoder.container(keyedBy: type) }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder.unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}

struct _UnkeyedLeafEncoder: UnkeyedEncodingContainer {
    let encoder: _LeafEncoder
    let slot: Int
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count = 0
    private mutating func counted() { count += 1; encoder.storage.nodes[slot] = .count(count) }
    mutating func encodeNil() throws { encoder.storage.nodes.append(.null); counted() }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeLeaf(value); counted() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        counted()
        return encoder.container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { counted(); return encoder.unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { counted(); return encoder }
}

struct _SingleLeafEncoder: SingleValueEncodingContainer {
    let encoder: _LeafEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    mutating func encodeNil() throws { encoder.storage.nodes.append(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeLeaf(value) }
}

struct _LeafDecoder: Decoder {
    let storage: _LeafStorage
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    init(_ storage: _LeafStorage) { self.storage = storage }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(_KeyedLeafDecoder<Key>(decoder: self))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .count(let n) = try storage.next() else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected a list"))
        }
        return _UnkeyedLeafDecoder(decoder: self, count: n)
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { _SingleLeafDecoder(decoder: self) }

    func decodeLeaf<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Double.self || _isPrimitiveType(T.self) { return try storage.next(T.self) }
        return try T(from: self)
    }

    func peekNull() -> Bool {
        if storage.position < storage.nodes.count, case .null = storage.nodes[storage.position] { return true }
        return false
    }
}

private func _isPrimitiveType(_ t: Any.Type) -> Bool {
    t == Bool.self || t == String.self || t == Float.self || t == Int.self || t == Int8.self || t == Int16.self
        || t == Int32.self || t == Int64.self || t == UInt.self || t == UInt8.self || t == UInt16.self
        || t == UInt32.self || t == UInt64.self
}

struct _KeyedLeafDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _LeafDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { [] }
    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool {
        if decoder.peekNull() { _ = try decoder.storage.next(); return true }
        return false
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeLeaf(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if case .null = try decoder.storage.next() { return nil }
        return try decoder.decodeLeaf(type)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> { try decoder.container(keyedBy: type) }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder.unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
}

struct _UnkeyedLeafDecoder: UnkeyedDecodingContainer {
    let decoder: _LeafDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    let count: Int?
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }
    init(decoder: _LeafDecoder, count: Int) { self.decoder = decoder; self.count = count }
    mutating func decodeNil() throws -> Bool {
        if decoder.peekNull() { _ = try decoder.storage.next(); currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        defer { currentIndex += 1 }
        return try decoder.decodeLeaf(type)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        currentIndex += 1
        return try decoder.container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        currentIndex += 1
        return try decoder.unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder { currentIndex += 1; return decoder }
}

struct _SingleLeafDecoder: SingleValueDecodingContainer {
    let decoder: _LeafDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool {
        if decoder.peekNull() { _ = try? decoder.storage.next(); return true }
        return false
    }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeLeaf(type) }
}
