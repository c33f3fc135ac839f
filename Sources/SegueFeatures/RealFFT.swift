import CFFTW
import Foundation

/// Power spectrum of a fixed-size real frame, with the FFTW plan made once
/// (FFTW 3, Frigo & Johnson, "The Design and Implementation of FFTW3", 2005).
/// All C interop with FFTW stays in this file.
public final class RealFFT {
    public let size: Int
    /// Frame to transform: write `size` samples here, then call `powerSpectrum`.
    public let input: UnsafeMutableBufferPointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    /// FFTW's planner is not thread-safe (only `fftwf_execute` is, FFTW manual
    /// §5.4): plans are made and destroyed under one lock.
    private static let plannerLock = NSLock()

    /// `size` must be even. Plans are made with FFTW_ESTIMATE so that a short
    /// file pays no planning time; FFTs are a small share of analysis anyway.
    public init(size: Int) {
        precondition(size >= 2 && size % 2 == 0, "FFT size must be even")
        self.size = size
        Self.plannerLock.lock()
        defer { Self.plannerLock.unlock() }
        input = UnsafeMutableBufferPointer(start: fftwf_alloc_real(size), count: size)
        input.initialize(repeating: 0)
        output = fftwf_alloc_complex(size / 2 + 1)
        plan = fftwf_plan_dft_r2c_1d(Int32(size), input.baseAddress, output, UInt32(FFTW_ESTIMATE))
    }

    deinit {
        Self.plannerLock.lock()
        defer { Self.plannerLock.unlock() }
        fftwf_destroy_plan(plan)
        fftwf_free(input.baseAddress)
        fftwf_free(output)
    }

    /// Number of bins from DC to Nyquist.
    public var binCount: Int { size / 2 + 1 }

    /// Transforms `input` and writes |X[k]|² for k = 0 … size/2 into `power`.
    public func powerSpectrum(into power: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= binCount)
        fftwf_execute(plan)
        output.withMemoryRebound(to: Float.self, capacity: 2 * binCount) { bins in
            for k in 0..<binCount {
                let re = bins[2 * k], im = bins[2 * k + 1]
                power[k] = re * re + im * im
            }
        }
    }
}
