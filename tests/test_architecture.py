"""The core never imports Qt or torch (only hwr_desktop/ui may import Qt; only training/ may import torch)."""

import subprocess
import sys

CORE = ["atomic", "batch", "binarize", "cli", "context", "decoding", "documents", "errors", "formats", "hocr", "ink",
        "journal", "lexicon", "normalize", "personal", "pipeline", "recognizer", "results", "scan", "segmentation"]


def test_core_imports_neither_qt_nor_torch():
    code = (
        "import sys\n"
        + "".join(f"import hwr_desktop.{m}\n" for m in CORE)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'shiboken6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
