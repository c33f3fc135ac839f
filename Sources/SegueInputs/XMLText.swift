/// A small, linear XML tokenizer for chapter files (Podlove, Matroska). Chapter XML is flat and simple;
/// this avoids depending on libxml2 while still reporting line numbers.
enum XMLText {
    enum Token {
        case start(name: String, attributes: [String: String], selfClosing: Bool, line: Int)
        case end(name: String, line: Int)
        case text(String, line: Int)
    }

    static func tokens(_ text: String, log: inout DiagnosticLog) -> [Token] {
        let s = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0, line = 1
        var textStart = 0, textLine = 1
        func advance(to j: Int) {
            while i < j { if s[i] == "\n" { line += 1 }; i += 1 }
        }
        func find(_ needle: String, from: Int) -> Int? {
            let n = Array(needle.unicodeScalars)
            var k = from
            while k + n.count <= s.count {
                if s[k] == n[0], Array(s[k..<(k + n.count)]) == n { return k }
                k += 1
            }
            return nil
        }
        func flushText(upTo end: Int) {
            if end > textStart {
                let raw = makeString(s[textStart..<end])
                if !raw.isBlankLine && !raw.unicodeScalars.allSatisfy({ isBlank($0) || $0 == "\n" }) {
                    tokens.append(.text(decodeEntities(raw), line: textLine))
                }
            }
        }
        while i < s.count {
            guard s[i] == "<" else { advance(to: i + 1); continue }
            flushText(upTo: i)
            let tagLine = line
            if let close = matchSpecial(s, i, find: find) {
                advance(to: close)
                if let cdata = cdataText(s, i, close) { tokens.append(.text(cdata, line: tagLine)) }
            } else if let close = find(">", from: i) {
                let inner = makeString(s[(i + 1)..<close])
                advance(to: close + 1)
                if inner.hasPrefix("/") {
                    tokens.append(.end(name: String(inner.dropFirst()).trimmingBlanks(), line: tagLine))
                } else {
                    let selfClosing = inner.hasSuffix("/")
                    let body = selfClosing ? String(inner.dropLast()) : inner
                    let (name, attributes) = parseTag(body)
                    tokens.append(.start(name: name, attributes: attributes, selfClosing: selfClosing, line: tagLine))
                }
            } else {
                log.error(tagLine, "unterminated XML tag: expected '>'")
                break
            }
            textStart = i
            textLine = line
        }
        flushText(upTo: min(i, s.count))
        return tokens
    }

    /// Comments, processing instructions, doctype and CDATA: returns the index just past them.
    private static func matchSpecial(_ s: [Unicode.Scalar], _ i: Int, find: (String, Int) -> Int?) -> Int? {
        func has(_ prefix: String) -> Bool {
            let p = Array(prefix.unicodeScalars)
            return i + p.count <= s.count && Array(s[i..<(i + p.count)]) == p
        }
        if has("<!--") { return (find("-->", i + 4) ?? s.count - 3) + 3 }
        if has("<![CDATA[") { return (find("]]>", i + 9) ?? s.count - 3) + 3 }
        if has("<?") { return (find("?>", i + 2) ?? s.count - 2) + 2 }
        if has("<!") { return (find(">", i + 2) ?? s.count - 1) + 1 }
        return nil
    }

    private static func cdataText(_ s: [Unicode.Scalar], _ i: Int, _ close: Int) -> String? {
        let p = Array("<![CDATA[".unicodeScalars)
        guard i + p.count <= s.count, Array(s[i..<(i + p.count)]) == p, close - 3 >= i + p.count else { return nil }
        return makeString(s[(i + p.count)..<(close - 3)])
    }

    private static func parseTag(_ body: String) -> (String, [String: String]) {
        let s = Array(body.unicodeScalars)
        var i = 0
        while i < s.count, !isSpace(s[i]) { i += 1 }
        let name = makeString(s[0..<i])
        var attributes: [String: String] = [:]
        while i < s.count {
            while i < s.count, isSpace(s[i]) { i += 1 }
            let keyStart = i
            while i < s.count, s[i] != "=", !isSpace(s[i]) { i += 1 }
            let key = makeString(s[keyStart..<i])
            while i < s.count, isSpace(s[i]) { i += 1 }
            guard i < s.count, s[i] == "=" else { if i == keyStart { i += 1 }; continue }
            i += 1
            while i < s.count, isSpace(s[i]) { i += 1 }
            guard i < s.count, s[i] == "\"" || s[i] == "'" else { continue }
            let quote = s[i]
            i += 1
            let valueStart = i
            while i < s.count, s[i] != quote { i += 1 }
            attributes[key] = decodeEntities(makeString(s[valueStart..<i]))
            i += 1
        }
        return (name, attributes)
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, `&#38;`, `&#x26;`.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [String: Unicode.Scalar] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
                                               "lrm": "\u{200E}", "rlm": "\u{200F}"]
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let name = makeString(s[(i + 1)..<semi])
                var scalar: Unicode.Scalar?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
                } else {
                    scalar = named[name]
                }
                if let scalar {
                    out.append(scalar)
                    i = semi + 1
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }
}
