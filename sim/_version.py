"""The package version, in the bottom layer so that every layer may read it without an upward import."""

__version__ = "0.1.0"
