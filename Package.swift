// swift-tools-version:6.1
import PackageDescription

// Modules follow the data flow: audio is decoded (SegueAudio), turned into
// spectral features (SegueFeatures), analysed into pauses and music
// (SeguePauses) and speakers (SegueSpeakers); text inputs are read by
// SegueInputs; results are written by SegueFormats, and chapters are embedded
// into audio files by SegueEmbedding. SegueEngine runs the
// pipeline once per file; SegueCLI is the `segue` command.
let package = Package(
    name: "Segue",
    products: [
        .library(name: "Segue", targets: ["SegueEngine"]),
        .executable(name: "segue", targets: ["SegueCLI"]),
        .executable(name: "segue-decode", targets: ["SegueDecodeBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile",
                       providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        // FFmpeg decodes what libsndfile cannot (M4A/AAC). SwiftPM reads one
        // .pc file (space-separated names are alternatives, not a union), so
        // the module map links libavformat, libavcodec and libavutil itself;
        // libswresample-dev is listed because libavformat.pc requires it.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev",
                                         "libswresample-dev"])]),
        .systemLibrary(name: "CEspeakNG", pkgConfig: "espeak-ng",
                       providers: [.apt(["libespeak-ng-dev"])]),

        .target(name: "SegueAudio", dependencies: ["CSndFile", "CFFmpeg"]),
        .target(name: "SegueFeatures", dependencies: ["CFFTW", "SegueAudio"]),
        .target(name: "SeguePauses", dependencies: ["SegueFeatures"]),
        .target(name: "SegueSpeakers", dependencies: ["SegueFeatures", "SeguePauses"]),
        .target(name: "SegueInputs"),
        .target(name: "SegueFormats", dependencies: ["SeguePauses", "SegueSpeakers", "SegueInputs"]),
        .target(name: "SegueEmbedding", dependencies: ["SegueFormats"]),
        .target(name: "SegueAlignment", dependencies: ["CEspeakNG", "SegueFeatures", "SegueInputs"]),
        .target(name: "SegueEngine", dependencies: [
            "SegueAudio", "SegueFeatures", "SeguePauses", "SegueSpeakers", "SegueFormats", "SegueEmbedding",
            "SegueInputs", "SegueAlignment",
        ]),
        .target(name: "SegueChapters", dependencies: ["SegueEngine"]),
        .executableTarget(name: "SegueCLI", dependencies: [
            "SegueEngine", "SegueInputs", "SegueChapters",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "SegueDecodeBench", dependencies: ["SegueAudio"]),

        // Signal generators, a WAV writer and repository paths shared by the tests.
        .target(name: "SegueTestSupport", path: "Tests/SegueTestSupport"),
        // SegueEngine: M4AInputTests compares pauses found on M4A and FLAC copies.
        .testTarget(name: "SegueAudioTests", dependencies: ["SegueAudio", "SegueEngine", "SegueTestSupport"]),
        .testTarget(name: "SegueFeaturesTests", dependencies: ["SegueFeatures", "SegueTestSupport"]),
        .testTarget(name: "SeguePausesTests", dependencies: ["SeguePauses", "SegueEngine", "SegueTestSupport"]),
        .testTarget(name: "SegueSpeakersTests", dependencies: ["SegueSpeakers", "SegueEngine", "SegueTestSupport"]),
        .testTarget(name: "SegueInputsTests", dependencies: [
            "SegueInputs", .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Corpus"]),
        .testTarget(name: "SegueFormatsTests", dependencies: ["SegueFormats", "SegueInputs", "SegueTestSupport"],
                    exclude: ["Inputs"]),
        .testTarget(name: "SegueEmbeddingTests", dependencies: ["SegueEmbedding", "SegueFormats", "SegueTestSupport"]),
        .testTarget(name: "SegueCLITests", dependencies: ["SegueEngine", "SegueTestSupport"]),
        .testTarget(name: "SegueAlignmentTests", dependencies: ["SegueAlignment", "SegueTestSupport"]),
        .testTarget(name: "SegueChaptersTests", dependencies: ["SegueChapters", "SegueTestSupport"]),
    ]
)
