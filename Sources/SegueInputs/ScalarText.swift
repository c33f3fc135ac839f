/// The scalars of `text`, the parsers' working form of a line. Reserving from the UTF-8 length (an upper
/// bound) avoids the separate counting pass `Array(text.unicodeScalars)` makes before copying.
func scalars(of text: some StringProtocol) -> [Unicode.Scalar] {
    var result: [Unicode.Scalar] = []
    result.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars { result.append(c) }
    return result
}

/// Building strings from scalar slices.
///
/// `String(String.UnicodeScalarView(slice))` goes through unspecialised generic code (UTF-32 transcoding
/// with a metadata lookup per scalar) and was the largest single cost in a 10 MB parse; writing the
/// UTF-8 straight into the new string's storage gives the same string several times faster.
func makeString(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    var byteCount = 0
    for c in scalars { byteCount += UTF8.width(c) }
    return String(unsafeUninitializedCapacity: byteCount) { buffer in
        var i = 0
        for c in scalars {
            if c.isASCII {
                buffer[i] = UInt8(truncatingIfNeeded: c.value)
                i += 1
            } else {
                for unit in c.utf8 {
                    buffer[i] = unit
                    i += 1
                }
            }
        }
        return i
    }
}

/// A scalar slice as a string without its leading and trailing blanks.
func trimmedString(_ s: ArraySlice<Unicode.Scalar>) -> String {
    var lo = s.startIndex, hi = s.endIndex
    while lo < hi, isBlank(s[lo]) { lo += 1 }
    while hi > lo, isBlank(s[hi - 1]) { hi -= 1 }
    return makeString(s[lo..<hi])
}

/// Up to eight ASCII bytes, lower-cased, in one integer: a key for small word tables that needs no string.
struct PackedASCII: Hashable {
    private var bits: UInt64 = 0
    private var count = 0

    /// `nil` when `scalars` has more than eight scalars or any that is not ASCII.
    init?(lowercasing scalars: ArraySlice<Unicode.Scalar>) {
        guard scalars.count <= 8 else { return nil }
        for c in scalars {
            guard c.isASCII, let packed = appending(UInt8(c.value)) else { return nil }
            self = packed
        }
    }

    /// This key with one more ASCII byte (lower-cased), or `nil` when it is full.
    func appending(_ byte: UInt8) -> PackedASCII? {
        guard count < 8 else { return nil }
        let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        var next = self
        next.bits |= UInt64(lower) << (8 * UInt64(count))
        next.count += 1
        return next
    }
}
