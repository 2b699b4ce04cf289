import BenchmarkProblems
import Foundation
import ProblemTestSupport
import Testing

/// Each benchmark problem's objective (plain `Double`) against the PyTorch reference values.
@Suite("Problems: objectives against the reference")
struct ProblemsObjectiveTests {
    @Test("rosenbrock", arguments: [1_000, 100_000])
    func rosenbrockObjective(n: Int) throws {
        let expected = try Fixtures.reference("rosen-grad", "n=\(n)").number("objective")
        expectClose(rosenbrock(deterministicInput(count: n)), expected, tolerance: 1e-10, "rosenbrock n=\(n)")
    }

    @Test func rosenbrockHessianCaseObjective() throws {
        let expected = try Fixtures.reference("rosen-hess", "n=100").number("objective")
        expectClose(rosenbrock(deterministicInput(count: 100)), expected, tolerance: 1e-10, "rosenbrock n=100")
    }

    @Test func chainObjective() throws {
        let expected = try Fixtures.reference("chain-jac", "n=100").numbers("objective")
        expectClose(chainF(deterministicInput(count: 100)), expected, tolerance: 1e-10, "chainF")
    }

    @Test func wideObjective() throws {
        let expected = try Fixtures.reference("wide-jac", "n=8,m=1000").numbers("objective")
        expectClose(wideG(deterministicInput(count: 8), outputs: 1_000), expected, tolerance: 1e-10, "wideG")
    }

    @Test("gmm", arguments: ["gmm_d2_K5", "gmm_d10_K25"])
    func gmm(caseName: String) throws {
        let input = try (caseName == "gmm_d2_K5" ? Fixtures.gmmSmall : Fixtures.gmmLarge).get()
        let reference = try Fixtures.reference("gmm-grad", caseName)
        let (d, k, n) = (try reference.number("d"), try reference.number("K"), try reference.number("n"))
        #expect(Double(input.d) == d && Double(input.k) == k && Double(input.n) == n)
        expectClose(gmmObjective(input.parameters, input), try reference.number("objective"), tolerance: 1e-10, caseName)
    }

    @Test func lstm() throws {
        let input = try Fixtures.lstm.get()
        let reference = try Fixtures.reference("lstm-grad", "lstm_l2_c1024")
        #expect(input.layers == 2 && input.count == 1024 && input.hidden == 14)
        expectClose(lstmObjective(input.parameters, input), try reference.number("objective"), tolerance: 1e-10, "lstm")
    }

    @Test func bundleAdjustment() throws {
        let input = try Fixtures.ba.get()
        let reference = try Fixtures.reference("ba-jac", "ba1_n49_m7776_p31843")
        let observations = try reference.number("p")
        #expect(Double(input.observationCount) == observations)
        let block = try reference.numbers("camera") + reference.numbers("point") + [reference.number("weight")]
        #expect(input.observationBlock(0) == block)
        let (e0, e1) = baReprojectionError(input.observationBlock(0), feature: input.feature(0))
        expectClose([e0, e1], try reference.numbers("reproj_err_obs0"), tolerance: 1e-10, "reprojection error of observation 0")
        expectClose(baWeightError(input.weights[0]), try reference.number("w_err_obs0"), tolerance: 1e-10, "weight error of observation 0")
        var sumReprojection = 0.0, sumWeight = 0.0
        for i in 0..<input.observationCount {
            let (a, b) = baReprojectionError(input.observationBlock(i), feature: input.feature(i))
            sumReprojection += a * a + b * b
            let w = baWeightError(input.weights[i])
            sumWeight += w * w
        }
        expectClose(sumReprojection, try reference.number("sum_sq_reproj_err_all"), tolerance: 1e-10, "sum of squared reprojection errors")
        expectClose(sumWeight, try reference.number("sum_sq_w_err_all"), tolerance: 1e-10, "sum of squared weight errors")
    }

    @Test func hand() throws {
        let input = try Fixtures.hand.get()
        let reference = try Fixtures.reference("hand-jac", "hand1_t26_c100")
        let theta = try reference.numbers("theta")
        #expect(input.theta == theta)
        #expect(input.model.boneCount == 22 && input.model.vertexCount == 544 && input.correspondences.count == 100)
        expectClose(handResiduals(input.theta, input), try reference.numbers("objective_residuals"), tolerance: 1e-10, "hand residuals")
    }
}

@Suite("Problems: conversion and data files")
struct ProblemsDataTests {
    @Test func deterministicInputs() {
        let x = deterministicInput(count: 5)
        #expect(x.count == 5)
        for (i, value) in x.enumerated() { #expect(value == 0.9 * Foundation.cos(Double(i))) }
    }

    @Test("converting Double to other Real types", arguments: [0.1, -3.75e-300, 1e300, Double.leastNonzeroMagnitude, -0.0, 123456789.123])
    func converting(value: Double) {
        #expect(Double(converting: value) == value)
        #expect(Float(converting: value) == Float(value))
        #if arch(x86_64)
        #expect(Float80(converting: value) == Float80(value))
        #endif
        #expect(Float(converting: -0.0 as Double).sign == .minus)
        #expect(Float(converting: Double.infinity) == .infinity)
        #expect(Float(converting: Double.nan).isNaN)
    }

    private func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("autodiff-problem-\(UUID().uuidString).txt").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func malformedGMMNamesLineAndValue() throws {
        let path = try temporaryFile("1 2 3\n0.5\nabc\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ProblemDataError.self) { try GMMInput.load(path: path) }
        #expect(error.line == 3)
        #expect(error.description.contains("'abc'") && error.description.contains("alphas"))
    }

    @Test func truncatedLSTMSaysEndOfFile() throws {
        let path = try temporaryFile("1 2 1\n1 2 3 4\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ProblemDataError.self) { try LSTMInput.load(path: path) }
        #expect(error.description.contains("end of file"))
    }

    @Test func extraContentInBAIsRefused() throws {
        let path = try temporaryFile("1 1 1\n" + String(repeating: "1 ", count: 17) + "\n42\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ProblemDataError.self) { try BAInput.load(path: path) }
        #expect(error.line == 3 && error.description.contains("'42'"))
    }

    @Test func handPointOutsideModelIsRefused() throws {
        let model = try Fixtures.hand.get().model
        let path = try temporaryFile("1 26\n9999 0 0 0\n" + String(repeating: "0\n", count: 26))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ProblemDataError.self) { try HandInput.load(path: path, model: model) }
        #expect(error.line == 2 && error.description.contains("9999"))
    }

    @Test func missingFileAndUnknownCase() throws {
        #expect(throws: ProblemDataError.self) { try GMMInput.load(path: "/nonexistent/gmm.txt") }
        let reference = try Reference.load(problem: "gmm-grad", shared: try Fixtures.shared)
        let error = try #require(throws: ProblemDataError.self) { try reference.case("gmm_d99") }
        #expect(error.description.contains("gmm_d2_K5"))
        let error2 = try #require(throws: ProblemDataError.self) { try reference.case("gmm_d2_K5").numbers("hessian") }
        #expect(error2.description.contains("gradient"))
    }

    @Test func relativeDifference() {
        #expect(maxRelativeDifference([1, 2], [1, 2]) == 0)
        #expect(maxRelativeDifference([1, 2], [1]) == .infinity)
        #expect(abs(maxRelativeDifference([1, 2.2], [1, 2]) - 0.2 / 2.2) < 1e-15)
        #expect(maxRelativeDifference([.nan], [1]) == .infinity)
        // An entry that is zero up to rounding counts against the largest magnitude.
        #expect(maxRelativeDifference([1e-20, 100], [0, 100]) < 1e-9)
        #expect(maxRelativeDifference([1e-20, 100], [0, 100], relativeFloor: 0) == 1)
    }

    @Test func sharedFolderFromEnvironment() throws {
        let shared = try Fixtures.shared
        let viaEnvironment = try SharedData.locate(environment: ["AUTODIFF_SHARED": shared.path])
        #expect(viaEnvironment.path == shared.path)
        #expect(throws: ProblemDataError.self) { try SharedData.locate(environment: ["AUTODIFF_SHARED": "/nonexistent"]) }
    }
}
