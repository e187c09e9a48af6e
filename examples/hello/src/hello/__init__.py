"""The example project installed by verse's README quick start."""

__version__ = "0.1.0"
