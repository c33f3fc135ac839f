import SegueFormats

// Placeholder until implemented; replaced by the container's reader and writer.
enum FLACChapters {
    static func read(_ source: SourceFile) throws(EmbedError) -> EmbeddedChapters {
        throw source.unreadable("not implemented yet")
    }

    static func embed(_ chapters: [Chapter], from source: SourceFile, to output: OutputFile,
                      options: EmbedOptions) throws(EmbedError) -> [String] {
        throw source.unreadable("not implemented yet")
    }
}
