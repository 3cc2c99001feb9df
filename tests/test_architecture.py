"""The core never imports Qt or torch (only hwr_desktop/ui may import Qt; only training/ may import torch)."""

import subprocess
import sys
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hwr_desktop"
CORE = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")  # every module outside ui/


def test_core_imports_neither_qt_nor_torch():
    code = (
        "import sys\n"
        + "".join(f"import hwr_desktop.{m}\n" for m in CORE)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'shiboken6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_import_contract_names_every_core_module():
    text = (PACKAGE.parent / "pyproject.toml").read_text()
    listed = re.search(r"source_modules = \[(.*?)\]", text, re.S).group(1)  # no tomllib before Python 3.11
    assert sorted(re.findall(r'"hwr_desktop\.(\w+)"', listed)) == CORE
