"""All exceptions raised by hwr_desktop. Every message names what failed and why."""


class HwrError(Exception):
    """Base class: an error the user can act on; the CLI prints it on one line."""


class InputError(HwrError):
    """An input file, image or ink could not be read or is not valid."""


class EmptyInputError(InputError):
    """The input holds no ink to recognize (blank page, empty canvas)."""


class ModelError(HwrError):
    """The model file is missing, unreadable, or its metadata does not match this program."""
