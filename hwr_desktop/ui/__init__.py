"""The desktop app (PySide6). The only package of hwr_desktop that imports Qt; start it with ``hwr-desktop``."""
