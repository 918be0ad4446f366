"""The error every way of loading a model ends in (kb.encoders re-exports it)."""


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded; the message names model and setting."""
