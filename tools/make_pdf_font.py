"""Rebuild the PDF report's font subset (docs/adr/0004). A one-off tool, not run by the app.

    apt-get download fonts-wqy-microhei && dpkg-deb -x fonts-wqy-microhei_*.deb wqy
    .venv/bin/pip install fonttools
    .venv/bin/python tools/make_pdf_font.py wqy/usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
        src/manyi/analytics/reports/fonts/ManyiSans-WQYMicroHei-GBK.ttf
"""

import contextlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

RANGES = [
    (0x20, 0x7F),  # ASCII
    (0xA0, 0x180),  # Latin-1, Latin Extended-A
    (0x2000, 0x2070),  # general punctuation
    (0x2190, 0x21A0),  # arrows
    (0x2460, 0x2500),  # circled numbers
    (0x25A0, 0x2600),  # geometric shapes
    (0x3000, 0x3040),  # CJK punctuation
    (0xFF00, 0xFFF0),  # full-width forms
]
EXTRA = {0x2212, 0x2264, 0x2265, 0x00D7, 0x00B1, 0x2248, 0x2260, 0x221E}


def gbk_characters() -> set[int]:
    chars = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            with contextlib.suppress(UnicodeDecodeError, TypeError):
                chars.add(ord(bytes([high, low]).decode("gbk")))
    return chars


def main(source: str, target: str) -> None:
    font = TTCollection(source).fonts[0]
    wanted = {c for low, high in RANGES for c in range(low, high)} | EXTRA | gbk_characters()
    wanted &= set(font.getBestCmap())
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    font.save(target)
    print(f"{len(wanted)} code points written to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
