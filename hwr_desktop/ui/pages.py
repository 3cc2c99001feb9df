"""DocumentPages: the pages of a document opened in the app; plain Python, no Qt.

Per page it keeps the recognition result (or the page's error) and the user's
corrections, which live as long as the document is open. Pages are rendered one
at a time, when shown or recognized, so a long PDF is never decoded whole: only
the few most recently used page images are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..formats import pages_text
from ..results import PageResult
from .corrections import CorrectedPage, Corrections, correct

KEEP_IMAGES = 3  # rendered pages kept in memory (an A4 page at 300 dpi is about 9 MB of gray)


class DocumentPages:
    """An opened document: its page count, the shown page, and per page its result, image and corrections.

    Args:
        path: the file (pages are rendered from it on demand).
        count: how many pages it has.
        keep_images: how many rendered pages to keep.
    """

    def __init__(self, path: str | Path, count: int, *, keep_images: int = KEEP_IMAGES) -> None:
        if count < 1:
            raise ValueError("a document has at least one page")
        self.path = Path(path)
        self.count = count
        self.current = 1
        self._keep = max(1, keep_images)
        self._results: dict[int, PageResult] = {}
        self._corrections: dict[int, Corrections] = {}
        self._images: OrderedDict[int, np.ndarray] = OrderedDict()

    def clamp(self, number: int) -> int:
        """``number`` brought into 1..count."""
        return min(max(1, number), self.count)

    def corrections(self, number: int) -> Corrections:
        """Page ``number``'s corrections (the same object every time, so changes stick)."""
        return self._corrections.setdefault(number, Corrections())

    def result(self, number: int) -> PageResult | None:
        """Page ``number``'s result (``error`` set when it failed), or None if it has not been recognized."""
        return self._results.get(number)

    def set_result(self, number: int, page: PageResult) -> None:
        self._results[number] = page

    def forget_results(self) -> None:
        """Drop every result (the mode or the model changed); corrections stay and apply again by box."""
        self._results.clear()

    def done(self) -> list[int]:
        """The page numbers that have a result, in order."""
        return sorted(self._results)

    def failed(self) -> list[int]:
        """The page numbers whose result is an error, in order."""
        return [n for n in self.done() if self._results[n].error is not None]

    def image(self, number: int) -> np.ndarray | None:
        """Page ``number``'s rendered image if it is still kept, else None."""
        image = self._images.get(number)
        if image is not None:
            self._images.move_to_end(number)
        return image

    def keep_image(self, number: int, image: np.ndarray) -> None:
        """Keep a rendered page; the least recently used one goes when there are too many."""
        self._images[number] = image
        self._images.move_to_end(number)
        while len(self._images) > self._keep:
            self._images.popitem(last=False)

    def corrected(self, number: int) -> CorrectedPage | None:
        """Page ``number``'s result with its corrections, or None if it has not been recognized."""
        page = self._results.get(number)
        if page is None:
            return None
        return correct(page, (), self.corrections(number))

    def text(self, number: int) -> str:
        """Page ``number``'s corrected text ("" when not recognized or failed)."""
        shown = self.corrected(number)
        return shown.text if shown else ""

    def corrected_pages(self) -> list[PageResult]:
        """Every recognized page in order, with its corrections in (``CorrectedPage.as_page``); failed ones too."""
        return [self.corrected(n).as_page() for n in self.done()]

    def all_text(self) -> str:
        """The corrected text of every recognized page, in order, pages apart by a form feed line as in the
        CLI's text output (``formats.pages_text``)."""
        return pages_text(self.corrected_pages())
