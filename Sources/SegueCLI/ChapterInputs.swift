import ArgumentParser
import Foundation
import SegueEngine

/// Reading the chapter or transcript file a command was given, and the episode's length, with the
/// one-line errors and exit codes every command shares.
enum ChapterInputs {
    /// A chapter file, show-notes page or transcript, parsed; or the chapters embedded in an audio file.
    static func read(_ path: String) throws -> InputDocument {
        let url = URL(fileURLWithPath: path)
        if (try? ChapterEmbedder.container(of: url)) != nil {
            do {
                let embedded = try ChapterEmbedder.read(url)
                let headings = embedded.chapters.enumerated().map { n, chapter in
                    TimelineHeading(title: chapter.title, time: chapter.start, endTime: chapter.end, url: chapter.url,
                                    image: chapter.image, toc: chapter.listed ? nil : false, line: n + 1)
                }
                return InputDocument(file: path, format: .text, encoding: .utf8, lineEnding: .none,
                                     timeline: Timeline(headings: headings), transcript: Transcript(), diagnostics: [])
            } catch {
                Terminal.error(error.description)
                throw ExitCode(error.kind == .unreadable ? ExitStatus.unreadableInput : ExitStatus.failure)
            }
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            Terminal.error("\(path): cannot read file: \((error as NSError).localizedDescription)")
            throw ExitCode(ExitStatus.unreadableInput)
        }
        let document: InputDocument
        do {
            document = try InputReader.parse(data, file: path)
        } catch {
            Terminal.error(error.description)
            throw ExitCode(ExitStatus.unreadableInput)
        }
        for diagnostic in document.diagnostics {
            Terminal.standardError.write(Data("segue: \(diagnostic.severity.rawValue): \(diagnostic)\n".utf8))
        }
        if document.hasErrors { throw ExitCode(ExitStatus.failure) }
        return document
    }

    /// The length of an audio file: from its container where that is cheap, else from the decoder's header.
    static func duration(of path: String) throws -> Double {
        let url = URL(fileURLWithPath: path)
        if let stated = (try? ChapterEmbedder.read(url))?.duration { return stated }
        do {
            return try AudioDecoder(path: path).info.duration
        } catch {
            throw ExitCode(Terminal.report(error))
        }
    }

    /// Errors stop the command before anything is written; warnings are printed and the work goes on.
    static func check(_ chapters: [Chapter], duration: Double?, source: String) throws {
        let problems = ChapterChecks.check(chapters, duration: duration)
        for warning in problems.warnings { Terminal.warning("\(source): \(warning)") }
        guard problems.errors.isEmpty else {
            for error in problems.errors { Terminal.error("\(source): \(error)") }
            throw ExitCode(ExitStatus.failure)
        }
    }

    /// One file per format, named `NAME + suffix` in `folder`; a format that cannot be made stops the
    /// command (exit 1) before anything is written. Warnings are printed.
    static func render(_ chapters: [Chapter], as formats: [ChapterFormat], options: ChapterWriterOptions,
                       name: String, folder: URL, source: String) throws -> [(url: URL, data: Data)] {
        var files: [(url: URL, data: Data)] = []
        for format in formats {
            do {
                let rendered = try ChapterWriter.render(chapters, as: format, options: options)
                for warning in rendered.warnings { Terminal.warning("\(format.rawValue): \(warning)") }
                files.append((folder.appendingPathComponent(name + format.fileSuffix), Data(rendered.text.utf8)))
            } catch {
                Terminal.error("\(source): \(format.rawValue): \(error.description)")
                throw ExitCode(ExitStatus.failure)
            }
        }
        return files
    }
}
