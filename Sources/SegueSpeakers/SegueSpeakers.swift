// The SegueSpeakers module.
