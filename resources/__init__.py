"""Files shipped with hwr_desktop (installed as the package hwr_desktop.resources)."""
