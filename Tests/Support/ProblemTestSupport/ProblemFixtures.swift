public import BenchmarkProblems
import Foundation
public import Testing

/// Inputs and reference values shared by the problem tests, loaded once.
public enum Fixtures {
    public static let sharedResult = Result { try SharedData.locate(fromSourceFile: #filePath) }
    public static var shared: SharedData { get throws { try sharedResult.get() } }

    public static func reference(_ problem: String, _ name: String) throws -> ReferenceCase {
        try Reference.load(problem: problem, shared: shared).case(name)
    }

    public static let gmmSmall = Result { try GMMInput.load(path: try shared.adbench("gmm_d2_K5.txt")) }
    public static let gmmLarge = Result { try GMMInput.load(path: try shared.adbench("gmm_d10_K25.txt")) }
    public static let lstm = Result { try LSTMInput.load(path: try shared.adbench("lstm_l2_c1024.txt")) }
    public static let ba = Result { try BAInput.load(path: try shared.adbench("ba1_n49_m7776_p31843.txt")) }
    public static let hand = Result {
        let shared = try Fixtures.shared
        let model = try HandModel.load(bonesPath: shared.adbench("bones.txt"), verticesPath: shared.adbench("vertices.txt"))
        return try HandInput.load(path: shared.adbench("hand1_t26_c100.txt"), model: model)
    }
}

/// Expects `actual` within `tolerance` (relative, see `maxRelativeDifference`) of `expected`.
public func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, reference has \(expected.count)", sourceLocation: sourceLocation)
    let error = maxRelativeDifference(actual, expected)
    #expect(error <= tolerance, "\(what): max relative difference \(error) > \(tolerance)", sourceLocation: sourceLocation)
}

public func expectClose(_ actual: Double, _ expected: Double, tolerance: Double,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose([actual], [expected], tolerance: tolerance, what, sourceLocation: sourceLocation)
}
