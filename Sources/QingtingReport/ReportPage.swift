import QingtingCore
import QingtingIngest

/// The report as one self-contained HTML page: inline SVG charts and CSS, one small inline script
/// that checks the charts drew (no network fetch, no CDN): a trend chart per KPI, the sentiment
/// mix over time, volume by platform, the rising topics, the ticket funnel, and drill-down tables
/// by platform, by campaign and (when asked for) by segment. Every chart is an `svg.chart` whose data marks carry the class
/// `mark`; the script sets `data-charts`, `data-charts-drawn` and `data-charts-empty` on `<body>`
/// (a browser test reads them).
public enum ReportPage {
    public static func html(_ r: KPIReport) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="zh"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Qingting report \(esc(day(r.periods.from))) – \(esc(day(r.periods.until - 1)))</title>
            <style>\(css)</style></head><body>
            <header><h1>倾听 Qingting · KPI report</h1>
            <p>\(esc(day(r.periods.from))) to \(esc(day(r.periods.until - 1))) by \(r.request.by.rawValue)\
            \(r.request.platform.map { " · platform " + esc($0) } ?? "")\
            \(r.compare.map { " · compared with " + esc(day($0.periods.from)) + " to " + esc(day($0.periods.until - 1)) } ?? "")
            · definitions \(esc(r.definitions.version)) (\(esc(r.definitions.hash)))</p></header>
            <section><h2>KPIs</h2><div class="grid">
            """
        for kpi in r.definitions.kpis {
            let values = r.series.map { $0.value(kpi) }
            let total = r.total.value(kpi)
            var change = ""
            if let c = r.compare {
                let before = c.total.value(kpi)
                change = "<div class=\"change\">previous \(format(before, kpi.unit))"
                if let b = before, let t = total {
                    let d = t - b
                    change += " · <span class=\"\(d >= 0 ? "up" : "down")\">\(d >= 0 ? "▲" : "▼") \(format(abs(d), kpi.unit))</span>"
                }
                change += "</div>"
            }
            out += """
                <div class="card"><h3>\(esc(kpi.title))</h3><div class="value">\(format(total, kpi.unit))</div>\(change)
                \(lineChart(name: kpi.name, labels: r.periods.periods.map(\.label), values: values, unit: kpi.unit))
                <div class="formula">\(esc(kpi.name)) = \(esc(kpi.formula.description))</div></div>
                """
        }
        out += "</div></section>"
        out += "<section><h2>Sentiment mix</h2>" + sentimentChart(r) + "</section>"
        let platforms = r.byPlatform.map { ($0.platform, $0.measures.values["events"] ?? 0) }
        out += "<section class=\"half\"><h2>Volume by platform</h2>" + barChart(name: "platforms", rows: platforms) + "</section>"
        out += "<section class=\"half\"><h2>Ticket funnel</h2>" + barChart(name: "funnel", rows: r.funnel.map { ($0.status, Double($0.count)) }) + "</section>"
        out += "<section><h2>Rising topics</h2><table><tr><th>topic</th><th>first half</th><th>second half</th><th>growth</th></tr>"
        for t in r.risingTopics() {
            out += "<tr><td>\(esc(t.topic))</td><td>\(Int(t.before))</td><td>\(Int(t.after))</td><td>\(NumberFormat.fixed(t.growth * 100, 0))%</td></tr>"
        }
        out += "</table></section>"
        let eventKPIs = r.definitions.kpis.filter(KPIReport.eventBased)
        out += "<section><h2>Drill-down by platform</h2><table><tr><th>platform</th><th>events</th>"
        out += eventKPIs.map { "<th>\(esc($0.name))</th>" }.joined() + "</tr>"
        for p in r.byPlatform {
            out += "<tr><td>\(esc(p.platform))</td><td>\(Int(p.measures.values["events"] ?? 0))</td>"
            out += eventKPIs.map { "<td>\(format(p.measures.value($0), $0.unit))</td>" }.joined() + "</tr>"
        }
        if !r.bySegment.isEmpty {
            out += "</table><h2>Drill-down by segment</h2><table><tr><th>segment</th><th>members</th><th>events</th>"
            out += r.definitions.kpis.map { "<th>\(esc($0.name))</th>" }.joined() + "</tr>"
            for g in r.bySegment {
                out += "<tr><td>\(esc(g.segment))</td><td>\(g.members)</td><td>\(Int(g.measures.values["events"] ?? 0))</td>"
                out += r.definitions.kpis.map { "<td>\(format(g.measures.value($0), $0.unit))</td>" }.joined() + "</tr>"
            }
        }
        out += "</table><h2>Drill-down by campaign</h2><table><tr><th>campaign</th><th>events</th></tr>"
        for c in r.campaigns { out += "<tr><td>\(esc(c.campaign))</td><td>\(Int(c.events))</td></tr>" }
        out += "</table></section>"
        out += "<script>\(script)</script></body></html>\n"
        return out
    }

    // MARK: Charts

    /// A trend line with a dot per defined value; undefined periods break the line.
    static func lineChart(name: String, labels: [String], values: [Double?], unit: String) -> String {
        let w = 320.0, h = 120.0, pad = 24.0
        let defined = values.compactMap { $0 }
        guard !defined.isEmpty else {
            return "<svg class=\"chart\" data-chart=\"\(esc(name))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\"><text x=\"10\" y=\"60\" class=\"empty\">no data in this range</text></svg>"
        }
        let lo = min(defined.min()!, 0), hi = max(defined.max()!, lo + 1e-9)
        let step = values.count > 1 ? (w - 2 * pad) / Double(values.count - 1) : 0
        func x(_ i: Int) -> Double { values.count > 1 ? pad + Double(i) * step : w / 2 }
        func y(_ v: Double) -> Double { h - pad - (v - lo) / (hi - lo) * (h - 2 * pad) }
        var svg = "<svg class=\"chart\" data-chart=\"\(esc(name))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        svg += "<line x1=\"\(pad)\" y1=\"\(h - pad)\" x2=\"\(w - pad)\" y2=\"\(h - pad)\" class=\"axis\"/>"
        var run: [String] = []
        func flush() {
            if run.count > 1 { svg += "<polyline class=\"mark line\" points=\"\(run.joined(separator: " "))\"/>" }
            run = []
        }
        for (i, v) in values.enumerated() {
            guard let v else { flush(); continue }
            run.append("\(n(x(i))),\(n(y(v)))")
            svg += "<circle class=\"mark dot\" cx=\"\(n(x(i)))\" cy=\"\(n(y(v)))\" r=\"2.5\"><title>\(esc(labels[i])): \(format(v, unit))</title></circle>"
        }
        flush()
        svg += "<text x=\"\(pad)\" y=\"\(h - 6)\" class=\"tick\">\(esc(labels.first ?? ""))</text>"
        svg += "<text x=\"\(w - pad)\" y=\"\(h - 6)\" class=\"tick end\">\(esc(labels.last ?? ""))</text>"
        svg += "<text x=\"2\" y=\"\(pad - 8)\" class=\"tick\">max \(format(defined.max()!, unit))</text>"
        return svg + "</svg>"
    }

    /// Stacked bars of positive, neutral and negative mentions per period.
    static func sentimentChart(_ r: KPIReport) -> String {
        let w = 960.0, h = 200.0, pad = 24.0
        let rows = r.series.map { m in ["positive", "neutral", "negative"].map { m.values["sentiment." + $0] ?? 0 } }
        let top = max(rows.map { $0.reduce(0, +) }.max() ?? 0, 1)
        let bw = (w - 2 * pad) / Double(max(rows.count, 1))
        var svg = "<svg class=\"chart wide\" data-chart=\"sentiment_mix\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        for (i, row) in rows.enumerated() {
            var base = h - pad
            for (k, v) in row.enumerated() where v > 0 {
                let bh = v / top * (h - 2 * pad)
                base -= bh
                svg += "<rect class=\"mark s\(k)\" x=\"\(n(pad + Double(i) * bw))\" y=\"\(n(base))\" width=\"\(n(max(bw - 1, 1)))\" height=\"\(n(bh))\"><title>\(esc(r.periods.periods[i].label)) \(["positive", "neutral", "negative"][k]): \(Int(v))</title></rect>"
            }
        }
        svg += "<text x=\"\(pad)\" y=\"\(h - 6)\" class=\"tick\">\(esc(r.periods.periods.first?.label ?? ""))</text>"
        svg += "<text x=\"\(w - pad)\" y=\"\(h - 6)\" class=\"tick end\">\(esc(r.periods.periods.last?.label ?? ""))</text>"
        svg += "<g class=\"legend\"><rect class=\"s0\" x=\"\(w - 250)\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"\(w - 236)\" y=\"13\">positive</text><rect class=\"s1\" x=\"\(w - 170)\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"\(w - 156)\" y=\"13\">neutral</text><rect class=\"s2\" x=\"\(w - 95)\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"\(w - 81)\" y=\"13\">negative</text></g>"
        return svg + "</svg>"
    }

    /// Horizontal bars, one per row, labelled with their value.
    static func barChart(name: String, rows: [(String, Double)]) -> String {
        let w = 460.0, rowH = 22.0, left = 110.0
        let h = max(Double(rows.count) * rowH + 8, 40)
        let top = max(rows.map(\.1).max() ?? 0, 1)
        var svg = "<svg class=\"chart\" data-chart=\"\(esc(name))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\">"
        for (i, row) in rows.enumerated() {
            let y = 4 + Double(i) * rowH
            svg += "<text x=\"\(left - 6)\" y=\"\(n(y + 15))\" class=\"tick end\">\(esc(row.0))</text>"
            if row.1 > 0 {
                svg += "<rect class=\"mark bar\" x=\"\(left)\" y=\"\(n(y + 2))\" width=\"\(n(row.1 / top * (w - left - 60)))\" height=\"\(n(rowH - 6))\"/>"
            }
            svg += "<text x=\"\(n(left + row.1 / top * (w - left - 60) + 4))\" y=\"\(n(y + 15))\" class=\"tick\">\(Int(row.1))</text>"
        }
        if rows.isEmpty { svg += "<text x=\"10\" y=\"24\" class=\"empty\">no data in this range</text>" }
        return svg + "</svg>"
    }

    // MARK: Text

    static func format(_ x: Double?, _ unit: String) -> String {
        guard let x, x.isFinite else { return "–" }
        switch unit {
        case "percent": return NumberFormat.fixed(x * 100, 1) + "%"
        case "seconds":
            if abs(x) >= 3600 { return NumberFormat.fixed(x / 3600, 1) + " h" }
            if abs(x) >= 60 { return NumberFormat.fixed(x / 60, 1) + " min" }
            return NumberFormat.fixed(x, 0) + " s"
        case "count": return x == x.rounded() ? String(Int(x)) : NumberFormat.fixed(x, 1)
        case "currency": return "¥" + NumberFormat.fixed(x, 2)
        case "score": return NumberFormat.fixed(x, 1)
        default: return NumberFormat.fixed(x, 3)
        }
    }

    static func n(_ x: Double) -> String { NumberFormat.fixed(x, 1) }
    static func day(_ t: Int64) -> String { String(Timestamp.iso8601(t).prefix(10)) }

    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let css = """
        body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;color:#1d2430;background:#f6f7f9}
        h1{font-size:22px;margin:0}h2{font-size:16px;margin:18px 0 8px}h3{font-size:13px;margin:0 0 4px;font-weight:600}
        header p{color:#5b6472;margin:4px 0 0}section{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0}
        section.half{display:inline-block;width:calc(50% - 44px);vertical-align:top;margin-right:12px}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
        .card{border:1px solid #e3e6eb;border-radius:6px;padding:10px}.value{font-size:22px;font-weight:700}
        .change{font-size:12px;color:#5b6472}.up{color:#1a7f37}.down{color:#c0392b}
        .formula{font-size:11px;color:#8a93a0;font-family:monospace;margin-top:4px}
        svg.chart{width:100%;height:auto;display:block}.axis{stroke:#c9ced6}
        .line{fill:none;stroke:#2f6fde;stroke-width:2}.dot{fill:#2f6fde}.bar{fill:#2f6fde}
        .s0{fill:#2e9d5b}.s1{fill:#a9b1bd}.s2{fill:#d64541}.tick{font-size:10px;fill:#5b6472}.end{text-anchor:end}
        .empty{font-size:12px;fill:#8a93a0}.legend text{font-size:11px;fill:#5b6472}
        table{border-collapse:collapse;font-size:12px;width:100%}td,th{border-bottom:1px solid #e3e6eb;padding:4px 6px;text-align:left}
        """

    /// Counts the charts and those that drew at least one data mark with a visible size.
    static let script = """
        (function(){var charts=document.querySelectorAll('svg.chart'),drawn=0,empty=[];
        charts.forEach(function(c){var ok=false;c.querySelectorAll('.mark').forEach(function(m){var b=m.getBBox();if(b.width>0||b.height>0)ok=true;});
        if(ok)drawn++;else empty.push(c.getAttribute('data-chart'));});
        document.body.setAttribute('data-charts',charts.length);document.body.setAttribute('data-charts-drawn',drawn);
        document.body.setAttribute('data-charts-empty',empty.join(' '));})();
        """
}
