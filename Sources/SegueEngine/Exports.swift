// `import SegueEngine` (the `Segue` library product) gives every stage's types.
@_exported import SegueAudio
@_exported import SegueFeatures
@_exported import SeguePauses
@_exported import SegueSpeakers
@_exported import SegueFormats
@_exported import SegueInputs
@_exported import SegueEmbedding
@_exported import SegueAlignment
