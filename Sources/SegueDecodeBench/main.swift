// segue-decode: decodes a file to mono through the same decoder `segue analyze`
// uses, and nothing else. Tools/bench uses it as the speed reference.
import SegueAudio
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    FileHandle.standardError.write("usage: segue-decode AUDIO\n".data(using: .utf8)!)
    exit(64)
}
do {
    let decoder = try AudioDecoder(path: path)
    var block = [Float](repeating: 0, count: 16_384)
    var peak: Float = 0
    while true {
        let n = try block.withUnsafeMutableBufferPointer { try decoder.readMono(into: $0) }
        if n == 0 { break }
        // Touch every sample so the decode cannot be optimised away.
        for i in 0..<n { peak = max(peak, abs(block[i])) }
    }
    print("\(decoder.framesDecoded) frames, peak \(peak)")
} catch {
    FileHandle.standardError.write("segue-decode: error: \(error)\n".data(using: .utf8)!)
    exit(2)
}
