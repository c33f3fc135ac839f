import Foundation

/// Writes a file so that readers see either the old file or the complete new
/// one, never a partial file: data goes to a temporary file in the same
/// folder, is flushed, then renamed over the destination.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        try writeAll([(url, data)])
    }

    /// Writes several files so that a failure leaves every destination as it was: all of them are
    /// first written to temporary files, and only when every one is complete are they renamed into
    /// place (a rename does not fail for want of space).
    public static func writeAll(_ files: [(url: URL, data: Data)]) throws {
        var staged: [(temporary: URL, url: URL)] = []
        do {
            for file in files {
                staged.append((try stage(file.data, beside: file.url), file.url))
            }
            for file in staged where rename(file.temporary.path, file.url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                    "\(file.url.path): cannot replace file: \(String(cString: strerror(errno)))"])
            }
        } catch {
            for file in staged { try? FileManager.default.removeItem(at: file.temporary) }
            throw error
        }
    }

    /// `data` in a flushed temporary file in `url`'s folder; the caller renames or removes it.
    private static func stage(_ data: Data, beside url: URL) throws -> URL {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey:
                "\(folder.path): cannot create a file here"])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return temporary
    }
}
