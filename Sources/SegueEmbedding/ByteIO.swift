import Foundation

/// An audio file opened for random-access reads of bounded size. Every read
/// is checked against the file's real length, so a size field that lies
/// ends in a clear error instead of a short read or a crash.
final class SourceFile {
    let url: URL
    let size: Int
    private let handle: FileHandle

    init(_ url: URL) throws(EmbedError) {
        self.url = url
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EmbedError(path: path, kind: .unreadable, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw EmbedError(path: path, kind: .unreadable, reason: "is a directory, not an audio file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EmbedError(path: path, kind: .unreadable, reason: "cannot open the file for reading")
        }
        self.handle = handle
        do {
            size = Int(try handle.seekToEnd())
        } catch {
            throw EmbedError(path: path, kind: .unreadable, reason: "cannot read the file: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    func unreadable(_ reason: String) -> EmbedError { EmbedError(path: url.path, kind: .unreadable, reason: reason) }
    func refused(_ reason: String) -> EmbedError { EmbedError(path: url.path, kind: .refused, reason: reason) }

    /// Exactly `count` bytes at `offset`, or an error naming what was expected there.
    func bytes(at offset: Int, count: Int, what: String = "data") throws(EmbedError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw unreadable("truncated: \(what) at byte \(offset) needs \(count) bytes but the file has \(size)")
        }
        if count == 0 { return [] }
        do {
            try handle.seek(toOffset: UInt64(offset))
            guard let data = try handle.read(upToCount: count), data.count == count else {
                throw unreadable("truncated: short read of \(what) at byte \(offset)")
            }
            return [UInt8](data)
        } catch let error as EmbedError {
            throw error
        } catch {
            throw unreadable("cannot read \(what) at byte \(offset): \(error.localizedDescription)")
        }
    }

    /// Copies `count` bytes from `offset` into `output` in 1 MiB blocks.
    func copy(from offset: Int, count: Int, to output: OutputFile) throws(EmbedError) {
        let block = 1 << 20
        var done = 0
        while done < count {
            let n = min(block, count - done)
            try output.write(try bytes(at: offset + done, count: n, what: "audio data"))
            done += n
        }
    }
}

/// The sequential writer that container code writes the new file through.
final class OutputFile {
    let path: String
    private let handle: FileHandle
    private(set) var position = 0

    init(handle: FileHandle, path: String) {
        self.handle = handle
        self.path = path
    }

    func write(_ bytes: [UInt8]) throws(EmbedError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw EmbedError(path: path, kind: .refused, reason: "cannot write: \(error.localizedDescription)")
        }
        position += bytes.count
    }

    func synchronize() throws(EmbedError) {
        do { try handle.synchronize() } catch {
            throw EmbedError(path: path, kind: .refused, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Writes a new file next to `destination` under a temporary name and renames
/// it into place only when `body` succeeded: a failure or a kill mid-write
/// leaves the original file untouched (at worst a hidden `.tmp` beside it).
enum AtomicOutput {
    static func write<T>(to destination: URL, path: String,
                         _ body: (OutputFile) throws(EmbedError) -> T) throws(EmbedError) -> T {
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(
            ".\(destination.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw EmbedError(path: folder.path, kind: .refused, reason: "cannot create a file here")
        }
        let output = OutputFile(handle: handle, path: path)
        do throws(EmbedError) {
            let result = try body(output)
            try output.synchronize()
            try? handle.close()
            guard rename(temporary.path, destination.path) == 0 else {
                throw EmbedError(path: path, kind: .refused,
                                 reason: "cannot replace file: \(String(cString: strerror(errno)))")
            }
            return result
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}

/// Big- and little-endian integers and synchsafe sizes for the byte layouts of tags and boxes.
enum Bytes {
    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
