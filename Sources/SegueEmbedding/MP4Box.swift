// Box structure of the ISO base media file format (ISO/IEC 14496-12 §4.2),
// which MP4, M4A and M4B files (and QuickTime movies, where boxes are called
// atoms) share: every box is a 32-bit size, a four-character type and a body;
// size 1 means a 64-bit "largesize" follows the type, size 0 means "to the
// end of the file". Every size read from a file is checked before use.

/// A four-character box type, e.g. `moov` or `©nam`.
struct FourCC: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    let rawValue: UInt32

    init(_ rawValue: UInt32) { self.rawValue = rawValue }

    init(_ bytes: ArraySlice<UInt8>) { rawValue = UInt32(truncatingIfNeeded: Bytes.bigEndian(bytes)) }

    /// Four ASCII characters; only used with literals in this module.
    init(stringLiteral value: String) {
        rawValue = value.utf8.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    var bytes: [UInt8] { Bytes.bigEndian(rawValue) }

    /// Latin-1, as tag boxes such as `©nam` are usually spelled; control bytes shown as `?`.
    var description: String {
        String(bytes.map { $0 < 0x20 || $0 == 0x7F ? "?" : Character(Unicode.Scalar($0)) })
    }
}

/// A top-level box in the file: where it starts, how long it is and how long its header is.
struct MP4Box {
    var type: FourCC
    var offset: Int
    var size: Int
    var headerSize: Int
    /// Size field 0: the box runs to the end of the file.
    var extendsToEnd: Bool

    var payloadOffset: Int { offset + headerSize }
    var end: Int { offset + size }

    /// Every top-level box of `source`, checking that they tile the file exactly.
    static func topLevel(_ source: SourceFile) throws(EmbedError) -> [MP4Box] {
        var boxes: [MP4Box] = []
        var offset = 0
        while offset < source.size {
            let remaining = source.size - offset
            guard remaining >= 8 else {
                throw source.unreadable("truncated: \(remaining) stray bytes at byte \(offset), too few for a box header")
            }
            let head = try source.bytes(at: offset, count: 8, what: "box header")
            let type = FourCC(head[4..<8])
            var headerSize = 8
            var size = UInt64(Bytes.bigEndian(head[0..<4]))
            let extendsToEnd = size == 0
            if size == 1 {
                guard remaining >= 16 else {
                    throw source.unreadable("truncated: box '\(type)' at byte \(offset) has no room for its 64-bit size")
                }
                size = Bytes.bigEndian(try source.bytes(at: offset + 8, count: 8, what: "box size")[...])
                headerSize = 16
            } else if extendsToEnd {
                size = UInt64(remaining)
            }
            guard size >= UInt64(headerSize) else {
                throw source.unreadable("box '\(type)' at byte \(offset) has size \(size), smaller than its own header")
            }
            guard size <= UInt64(remaining) else {
                throw source.unreadable("truncated: box '\(type)' at byte \(offset) claims \(size) bytes but only \(remaining) remain in the file")
            }
            boxes.append(MP4Box(type: type, offset: offset, size: Int(size), headerSize: headerSize,
                                extendsToEnd: extendsToEnd))
            offset += Int(size)
        }
        return boxes
    }

    /// A box header for `payloadSize` bytes of body: 8 bytes, or 16 when the size needs 64 bits.
    static func header(_ type: FourCC, payloadSize: Int) -> [UInt8] {
        let size = UInt64(payloadSize) + 8
        if size <= UInt64(UInt32.max) { return Bytes.bigEndian(UInt32(size)) + type.bytes }
        return Bytes.bigEndian(UInt32(1)) + type.bytes + Bytes.bigEndian(size + 8)
    }
}

/// A box held in memory (inside `moov`). Boxes on the path to what Segue edits
/// are opened into `children`; every other box keeps its body untouched.
struct MP4Node {
    var type: FourCC
    /// Where the box started in the source file, for error messages; -1 for new boxes.
    var offset: Int
    /// The body of a box that is not opened (everything after the header).
    var payload: [UInt8]
    /// The child boxes of an opened container.
    var children: [MP4Node]?
    /// Bytes after the last child, e.g. the 32-bit zero that ends a QuickTime `udta`.
    var trailer: [UInt8] = []

    static func leaf(_ type: FourCC, _ payload: [UInt8]) -> MP4Node {
        MP4Node(type: type, offset: -1, payload: payload, children: nil)
    }

    /// A "full box": one version byte and 24 bits of flags before the body.
    static func full(_ type: FourCC, version: UInt8 = 0, flags: UInt32 = 0, _ body: [UInt8]) -> MP4Node {
        leaf(type, [version] + Bytes.bigEndian(flags).suffix(3) + body)
    }

    static func container(_ type: FourCC, _ children: [MP4Node]) -> MP4Node {
        MP4Node(type: type, offset: -1, payload: [], children: children)
    }

    /// Containers opened under each parent type; all others stay opaque. Keeping
    /// this to the paths Segue needs also bounds the nesting depth.
    static let opened: [FourCC: Set<FourCC>] = [
        "moov": ["trak", "udta"],
        "trak": ["tref", "edts", "mdia"],
        "mdia": ["minf"],
        "minf": ["stbl"],
    ]

    /// Where this box is, for messages.
    var place: String { offset >= 0 ? "'\(type)' box at byte \(offset)" : "new '\(type)' box" }

    /// The box as bytes: header (64-bit size only if needed), then body.
    var encoded: [UInt8] {
        var body: [UInt8]
        if let children {
            body = children.flatMap(\.encoded) + trailer
        } else {
            body = payload
        }
        return MP4Box.header(type, payloadSize: body.count) + body
    }

    func child(_ type: FourCC) -> MP4Node? { children?.first { $0.type == type } }

    /// The first box down a path of child types, e.g. `["mdia", "minf", "stbl"]`.
    func descendant(_ path: [FourCC]) -> MP4Node? {
        var node = self
        for type in path {
            guard let next = node.child(type) else { return nil }
            node = next
        }
        return node
    }

    /// Parses `bytes` (a whole box, header included) that sat at `fileOffset` in `source`.
    static func parse(_ bytes: [UInt8], fileOffset: Int, source: SourceFile) throws(EmbedError) -> MP4Node {
        let nodes = try parseChildren(bytes, from: 0, to: bytes.count, fileOffset: fileOffset,
                                      parent: nil, opening: ["moov"], source: source)
        guard nodes.children.count == 1, let node = nodes.children.first else {
            throw source.unreadable("box at byte \(fileOffset) could not be parsed")
        }
        return node
    }

    private static func parseChildren(_ bytes: [UInt8], from start: Int, to end: Int, fileOffset: Int,
                                       parent: MP4Node?, opening: Set<FourCC>,
                                       source: SourceFile) throws(EmbedError) -> (children: [MP4Node], trailer: [UInt8]) {
        var nodes: [MP4Node] = []
        var position = start
        while position < end {
            let remaining = end - position
            let at = fileOffset + position
            let inside = parent.map { " in \($0.place)" } ?? ""
            guard remaining >= 8 else {
                // QuickTime ends some containers with a 32-bit zero; keep it as it is.
                if bytes[position..<end].allSatisfy({ $0 == 0 }) { return (nodes, Array(bytes[position..<end])) }
                throw source.unreadable("\(remaining) stray bytes at byte \(at)\(inside), too few for a box")
            }
            let type = FourCC(bytes[position + 4..<position + 8])
            var headerSize = 8
            var size = UInt64(Bytes.bigEndian(bytes[position..<position + 4]))
            if size == 1 {
                guard remaining >= 16 else {
                    throw source.unreadable("box '\(type)' at byte \(at)\(inside) has no room for its 64-bit size")
                }
                size = Bytes.bigEndian(bytes[position + 8..<position + 16])
                headerSize = 16
            } else if size == 0 {
                size = UInt64(remaining)
            }
            guard size >= UInt64(headerSize) else {
                throw source.unreadable("box '\(type)' at byte \(at)\(inside) has size \(size), smaller than its own header")
            }
            guard size <= UInt64(remaining) else {
                throw source.unreadable("box '\(type)' at byte \(at) claims \(size) bytes but only \(remaining) remain\(inside)")
            }
            let boxEnd = position + Int(size)
            var node = MP4Node(type: type, offset: at, payload: [], children: nil)
            if opening.contains(type) {
                let inner = try parseChildren(bytes, from: position + headerSize, to: boxEnd, fileOffset: fileOffset,
                                              parent: node, opening: opened[type] ?? [], source: source)
                node.children = inner.children
                node.trailer = inner.trailer
            } else {
                node.payload = Array(bytes[position + headerSize..<boxEnd])
            }
            nodes.append(node)
            position = boxEnd
        }
        return (nodes, [])
    }
}

/// Reads the fields of one box body in order; running past its end is an
/// `.unreadable` error that names the box.
struct MP4Fields {
    private let bytes: [UInt8]
    private let place: String
    private let source: SourceFile
    private(set) var position = 0

    init(_ node: MP4Node, source: SourceFile) {
        bytes = node.payload
        place = node.place
        self.source = source
    }

    var remaining: Int { bytes.count - position }

    mutating func take(_ count: Int) throws(EmbedError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw source.unreadable("\(place) is too short: needs \(position + max(count, 0)) bytes, has \(bytes.count)")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func skip(_ count: Int) throws(EmbedError) { _ = try take(count) }
    mutating func u8() throws(EmbedError) -> UInt8 { UInt8(Bytes.bigEndian(try take(1))) }
    mutating func u16() throws(EmbedError) -> UInt16 { UInt16(Bytes.bigEndian(try take(2))) }
    mutating func u32() throws(EmbedError) -> UInt32 { UInt32(Bytes.bigEndian(try take(4))) }
    mutating func u64() throws(EmbedError) -> UInt64 { Bytes.bigEndian(try take(8)) }

    /// A count that says how many fixed-size entries follow; checked against the bytes left
    /// so a hostile count cannot make us allocate or loop for entries that are not there.
    mutating func count(entrySize: Int) throws(EmbedError) -> Int {
        let count = Int(try u32())
        guard count <= remaining / entrySize else {
            throw source.unreadable("\(place) claims \(count) entries of \(entrySize) bytes but has room for \(remaining / entrySize)")
        }
        return count
    }

    func fail(_ reason: String) -> EmbedError { source.unreadable("\(place): \(reason)") }
}
