import Foundation

/// An error reading one of the benchmark data or reference files, naming the file and,
/// where it applies, the line and what was expected there.
public struct ProblemDataError: Error, CustomStringConvertible, Sendable {
    /// The file that could not be read or parsed.
    public var path: String
    /// The 1-based line of the offending token, when known.
    public var line: Int?
    /// What went wrong, e.g. "expected a number for the K alphas, found 'abc'".
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}

/// Reads a whitespace-separated text file token by token, with errors that name the file,
/// the line and what was expected (the ADBench `.txt` formats).
struct TokenReader {
    let path: String
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1

    private let colonSeparates: Bool

    /// Reads `path`; with `colonSeparates`, ':' separates tokens too (the hand model files).
    init(path: String, colonSeparates: Bool = false) throws {
        self.path = path
        self.colonSeparates = colonSeparates
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProblemDataError(path: path, message: "cannot read the file (missing or unreadable)")
        }
        bytes = [UInt8](data)
    }

    /// The line of the last token returned.
    private(set) var tokenLine = 1

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || (colonSeparates && byte == 0x3A)
    }

    /// The next token, or nil at the end of the file.
    mutating func nextToken() -> Substring? {
        while position < bytes.count, isSeparator(bytes[position]) {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let start = position
        while position < bytes.count, !isSeparator(bytes[position]) { position += 1 }
        tokenLine = line
        return Substring(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func double(_ what: @autoclosure () -> String) throws -> Double {
        guard let token = nextToken() else {
            throw ProblemDataError(path: path, line: line, message: "unexpected end of file, expected a number for \(what())")
        }
        guard let value = Double(token) else {
            throw ProblemDataError(path: path, line: tokenLine, message: "expected a number for \(what()), found '\(token)'")
        }
        return value
    }

    mutating func int(_ what: @autoclosure () -> String, atLeast minimum: Int = 0) throws -> Int {
        guard let token = nextToken() else {
            throw ProblemDataError(path: path, line: line, message: "unexpected end of file, expected an integer for \(what())")
        }
        guard let value = Int(token) else {
            throw ProblemDataError(path: path, line: tokenLine, message: "expected an integer for \(what()), found '\(token)'")
        }
        guard value >= minimum else {
            throw ProblemDataError(path: path, line: tokenLine, message: "\(what()) must be at least \(minimum), found \(value)")
        }
        return value
    }

    mutating func doubles(_ count: Int, _ what: String) throws -> [Double] {
        var values = [Double]()
        values.reserveCapacity(count)
        for index in 0..<count { values.append(try double("\(what) (value \(index + 1) of \(count))")) }
        return values
    }

    /// Throws unless only whitespace is left.
    mutating func expectEnd(_ what: String) throws {
        if let token = nextToken() {
            throw ProblemDataError(path: path, line: tokenLine, message: "unexpected extra content '\(token)' after \(what)")
        }
    }
}

/// Locates the shared folder of the project (`<repo>/../shared`, holding `bench/` and
/// `data/adbench/`) and the files in it.
///
/// Tests find it from their own source location; executables from the environment variable
/// `AUTODIFF_SHARED` or by walking up from the current directory.
///
/// ```swift
/// // In a test file:
/// let shared = try SharedData.locate(fromSourceFile: #filePath)
/// let gmm = try GMMInput.load(path: shared.adbench("gmm_d2_K5.txt"))
/// // In an executable:
/// let shared = try SharedData.locate()
/// ```
public struct SharedData: Sendable {
    /// The absolute path of the shared folder.
    public let path: String

    /// Uses `path` as the shared folder, after checking that it holds `bench/SUITE.md`.
    public init(path: String) throws {
        guard SharedData.looksShared(path) else {
            throw ProblemDataError(path: path, message: "not the shared folder: bench/SUITE.md is missing")
        }
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func looksShared(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/bench/SUITE.md")
    }

    /// The first `shared/` folder found beside `start` or beside one of its ancestors.
    private static func search(upFrom start: String) -> String? {
        var directory = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent("shared").path
            if looksShared(candidate) { return candidate }
            if looksShared(directory.path) { return directory.path }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// Finds the shared folder beside an ancestor of a source file, for tests:
    /// `try SharedData.locate(fromSourceFile: #filePath)`.
    public static func locate(fromSourceFile filePath: String) throws -> SharedData {
        let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().path
        guard let found = search(upFrom: directory) else {
            throw ProblemDataError(path: filePath, message: "no shared/ folder (with bench/SUITE.md) beside any ancestor of this file; the repository expects it at <repo>/../shared")
        }
        return try SharedData(path: found)
    }

    /// Finds the shared folder for an executable: `$AUTODIFF_SHARED` when set, otherwise
    /// a `shared/` folder beside the current directory or one of its ancestors.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SharedData {
        if let explicit = environment["AUTODIFF_SHARED"], !explicit.isEmpty {
            return try SharedData(path: explicit)
        }
        let current = FileManager.default.currentDirectoryPath
        guard let found = search(upFrom: current) else {
            throw ProblemDataError(path: current, message: "no shared/ folder (with bench/SUITE.md) beside this directory or its ancestors; set AUTODIFF_SHARED to its path")
        }
        return try SharedData(path: found)
    }

    /// The path of an ADBench data file, e.g. `adbench("gmm_d2_K5.txt")`.
    public func adbench(_ file: String) -> String { path + "/data/adbench/" + file }

    /// The path of a reference JSON, e.g. `reference("gmm-grad")`.
    public func reference(_ problem: String) -> String { path + "/bench/reference/" + problem + ".json" }
}
