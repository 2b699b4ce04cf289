import Foundation
import Testing

/// Every ```swift block of README.md and of the DocC articles is compiled and run as a test
/// (Snippets/, written by scripts/docs/extract-snippets.py). This checks that the files are
/// those of the current text: an edited block without a new run of the script fails here.
@Suite("Documentation: every code block is a test")
struct SnippetSyncTests {
    static let root = URL(fileURLWithPath: #filePath)   // Tests/AutodiffTests/Documentation/…
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func documents() throws -> [URL] {
        let catalog = root.appendingPathComponent("Sources/Autodiff/Autodiff.docc")
        let articles = try FileManager.default.contentsOfDirectory(atPath: catalog.path)
            .filter { $0.hasSuffix(".md") }.sorted().map { catalog.appendingPathComponent($0) }
        return [root.appendingPathComponent("README.md")] + articles
    }

    /// The ```swift blocks of a Markdown text, as the script finds them.
    static func blocks(_ text: String) -> [String] {
        var result: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil {
                if line.trimmingCharacters(in: .whitespaces) == "```swift" { current = [] }
            } else if line.trimmingCharacters(in: .whitespaces) == "```" {
                result.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current!.append(line)
            }
        }
        return result
    }

    @Test func everyBlockHasItsCurrentTest() throws {
        let snippets = Self.root.appendingPathComponent("Tests/AutodiffTests/Documentation/Snippets")
        var expected: Set<String> = []
        for document in try Self.documents() {
            let stem = document.deletingPathExtension().lastPathComponent.filter { $0.isLetter || $0.isNumber || $0 == "_" }
            for (i, block) in Self.blocks(try String(contentsOf: document, encoding: .utf8)).enumerated() {
                let name = "\(stem)_\(i + 1).swift"
                expected.insert(name)
                let file = snippets.appendingPathComponent(name)
                let generated = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                let body = block.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("import ") && !$0.hasPrefix("@testable import ") }
                    .joined(separator: "\n")
                #expect(generated.contains("// BEGIN BLOCK\n\(body)\n// END BLOCK"),
                        "\(document.lastPathComponent) block \(i + 1) changed: run python3 scripts/docs/extract-snippets.py")
            }
        }
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: snippets.path).filter { $0.hasSuffix(".swift") })
        #expect(present == expected, "stale or missing snippet files: run python3 scripts/docs/extract-snippets.py")
    }
}
