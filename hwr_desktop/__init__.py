"""hwr: offline handwriting recognition for digits and Latin letters."""

__version__ = "0.1.0"
