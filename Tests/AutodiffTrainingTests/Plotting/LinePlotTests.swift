import Foundation
import Testing
@testable import AutodiffTraining

@Suite("Plotting: SVG line plots")
struct LinePlotTests {
    @Test func linePlotWritesAnSVG() throws {
        var plot = LinePlot(title: "a < b & c")
        plot.addSeries(label: "sin", x: [0, 1, 2, 3], y: [0, 0.84, 0.91, 0.14])
        plot.addSeries(label: "cos", x: [0, 1, 2, 3], y: [1, 0.54, -0.42, -0.99])
        let svg = plot.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("a &lt; b &amp; c"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-plot-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try plot.write(to: path) == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == svg)
        #expect(LinePlot.ticks(0, 6.3) == [0, 2, 4, 6])
    }
}
