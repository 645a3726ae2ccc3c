internal import Foundation
internal import FoundationXML
import QingtingCore

/// A parsed XML document as a tree of elements, enough for the flat pushes WeChat and WeCom send
/// (`<xml><ToUserName><![CDATA[…]]></ToUserName>…</xml>`). Parsed by FoundationXML's `XMLParser`
/// (libxml2): CDATA sections and entities come back as text.
struct XMLTree: Sendable, Equatable {
    struct Element: Sendable, Equatable {
        var name: String
        /// The element's own character data (text and CDATA, in order), untrimmed.
        var text: String
        var children: [Element]

        /// The first child called `name`.
        func child(_ name: String) -> Element? { children.first { $0.name == name } }

        /// The text of the first child called `name`, trimmed of surrounding whitespace; nil when
        /// the child is absent.
        func value(_ name: String) -> String? {
            child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }

    var root: Element

    /// Deeper nesting is refused: no documented push nests more than three levels.
    static let maxDepth = 32

    /// Parses one XML document.
    ///
    /// A document type declaration is refused before parsing: no platform sends one, and refusing
    /// it rules out entity-expansion attacks; external entities are never resolved.
    /// - Throws: `QingtingError` `.invalidXML` with the line and column libxml2 reports.
    static func parse(_ bytes: [UInt8]) throws -> XMLTree {
        if containsDoctype(bytes) {
            throw QingtingError(.invalidXML, "a document type declaration (<!DOCTYPE) is not accepted")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.failure {
            throw QingtingError(.invalidXML, failure)
        }
        guard ok, let root = builder.root else {
            let reason = (parser.parserError as NSError?).map { "libxml2 error \($0.code)" } ?? "not well-formed"
            throw QingtingError(
                .invalidXML,
                "not well-formed XML (\(reason)) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return XMLTree(root: root)
    }

    /// XML spells the declaration in upper case only, so an exact byte search finds every one.
    private static func containsDoctype(_ bytes: [UInt8]) -> Bool {
        let marker = Array("<!DOCTYPE".utf8)
        guard bytes.count >= marker.count else { return false }
        return (0...(bytes.count - marker.count)).contains { start in
            bytes[start] == marker[0] && bytes[start..<(start + marker.count)].elementsEqual(marker)
        }
    }
}

/// Builds the element tree from the parser's callbacks.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree.Element] = []
    var root: XMLTree.Element?
    var failure: String?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        guard stack.count < XMLTree.maxDepth else {
            failure = "nested deeper than \(XMLTree.maxDepth) elements"
            parser.abortParsing()
            return
        }
        stack.append(XMLTree.Element(name: elementName, text: "", children: []))
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        guard let element = stack.popLast() else { return }
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self) }
    }
}
