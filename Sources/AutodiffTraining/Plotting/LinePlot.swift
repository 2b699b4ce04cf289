import AutodiffCore
import AutodiffTensor

/// A small line chart written as a standalone SVG file (enough to draw the
/// curves of the tutorials, e.g. `sin(a)` and its gradient against `a`,
/// without matplotlib).
///
/// ```swift
/// var plot = LinePlot(title: "sin(a) and a.grad")
/// plot.addSeries(label: "sin(a)", x: [0, 1, 2], y: [0, 0.84, 0.91])
/// try plot.write(to: "plot.svg")
/// ```
public struct LinePlot: Sendable {
    /// One named curve.
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        public var color: String
    }

    /// The title drawn above the axes.
    public var title: String
    /// The curves, drawn in order.
    public private(set) var series: [Series] = []
    /// The size of the image in pixels.
    public var width: Double, height: Double

    private static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    /// An empty plot.
    public init(title: String = "", width: Double = 640, height: Double = 400) {
        self.title = title
        self.width = width
        self.height = height
    }

    /// Adds a curve through the points `(x[i], y[i])`; the colour defaults to the
    /// next of matplotlib's default cycle.
    ///
    /// - Precondition: `x` and `y` have the same count.
    public mutating func addSeries(label: String, x: [Double], y: [Double], color: String? = nil) {
        autodiffRequire(x.count == y.count, "LinePlot.addSeries", "\(x.count) x values for \(y.count) y values")
        series.append(Series(label: label, x: x, y: y,
                             color: color ?? LinePlot.palette[series.count % LinePlot.palette.count]))
    }

    /// The SVG document.
    public var svg: String {
        let margin = (left: 60.0, right: 20.0, top: 40.0, bottom: 40.0)
        let xs = series.flatMap(\.x).filter(\.isFinite), ys = series.flatMap(\.y).filter(\.isFinite)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x0 == x1 { x0 -= 1; x1 += 1 }
        if y0 == y1 { y0 -= 1; y1 += 1 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom
        func px(_ x: Double) -> Double { margin.left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { margin.top + (y1 - y) / (y1 - y0) * plotH }
        func f(_ v: Double) -> String { _formatted("%.2f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
        viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>

        """
        out += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>\n"
        // Axes box, ticks and grid.
        out += "<rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"black\"/>\n"
        for t in Self.ticks(x0, x1) {
            out += "<line x1=\"\(f(px(t)))\" y1=\"\(f(margin.top))\" x2=\"\(f(px(t)))\" y2=\"\(f(margin.top + plotH))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(px(t)))\" y=\"\(f(margin.top + plotH + 16))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in Self.ticks(y0, y1) {
            out += "<line x1=\"\(f(margin.left))\" y1=\"\(f(py(t)))\" x2=\"\(f(margin.left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        // Curves, then the legend on a white box above them.
        for s in series {
            let points = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
        }
        if !series.isEmpty {
            out += "<rect x=\"\(f(margin.left + plotW - 156))\" y=\"\(f(margin.top + 4))\" width=\"150\" "
                + "height=\"\(f(Double(series.count) * 18 + 6))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n"
        }
        for (k, s) in series.enumerated() {
            let ly = margin.top + 16 + Double(k) * 18
            out += "<line x1=\"\(f(margin.left + plotW - 150))\" y1=\"\(f(ly - 4))\" x2=\"\(f(margin.left + plotW - 126))\" y2=\"\(f(ly - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(f(margin.left + plotW - 120))\" y=\"\(f(ly))\">\(Self.escape(s.label))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// Writes ``svg`` to `path` and returns the file's absolute path.
    @discardableResult
    public func write(to path: String) throws -> String {
        try _writeFile(path, svg)
        return _absolutePath(path)
    }

    /// About five round tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        let magnitude = Double.pow(10, Double.log10(raw).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(Swift.abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e6 ? String(Int(v)) : _formatted("%g", v)
    }

    static func escape(_ s: String) -> String {
        _replacingCharacters(s, ["&": "&amp;", "<": "&lt;", ">": "&gt;"])
    }
}
