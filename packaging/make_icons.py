"""Draw the app icon: a labelled jar with a barcode, on a warm rounded square.

Run from the repository root (``python packaging/make_icons.py``) after changing the
drawing; it rewrites ``resources/icons/smallbatch-<size>.png`` (16 to 512 px),
``smallbatch.ico`` (Windows: every size in one file) and ``smallbatch.icns`` (macOS).
The outputs are committed, because the build must not depend on drawing code.

The icon is drawn with QPainter in a 256-unit design space and rendered separately at
every size (rather than downscaled from one bitmap), so the 16 and 32 px versions keep
crisp, pixel-aligned edges; below 32 px the barcode turns into three solid bars, since
thin lines would blur to grey.  Pillow (already installed with ReportLab) writes the
multi-size ``.ico`` and ``.icns`` containers, which Qt cannot.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)

#: palette: terracotta badge, cream jar, deep brown ink
BADGE_TOP = "#d9733b"
BADGE_BOTTOM = "#b4502a"
JAR = "#fff6e6"
LID = "#5a3a29"
INK = "#3b2619"


def draw(size: int) -> object:
    """The icon at ``size`` x ``size`` pixels as a ``QImage`` with alpha."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPainterPath

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256, size / 256)
    p.setPen(Qt.PenStyle.NoPen)

    # badge: a rounded square filling the canvas, with a little breathing room
    badge = QRectF(8, 8, 240, 240)
    gradient = QLinearGradient(QPointF(0, 8), QPointF(0, 248))
    gradient.setColorAt(0, QColor(BADGE_TOP))
    gradient.setColorAt(1, QColor(BADGE_BOTTOM))
    p.setBrush(gradient)
    p.drawRoundedRect(badge, 52, 52)

    # jar body and lid
    body = QPainterPath()
    body.addRoundedRect(QRectF(60, 70, 136, 150), 30, 30)
    p.setBrush(QColor(JAR))
    p.drawPath(body)
    p.setBrush(QColor(LID))
    p.drawRoundedRect(QRectF(70, 40, 116, 36), 10, 10)
    p.setBrush(QColor(JAR))
    p.drawRect(QRectF(80, 70, 96, 8))  # neck between lid and shoulder

    # label band across the jar with a barcode
    p.setBrush(QColor(BADGE_BOTTOM).lighter(175))
    p.drawRect(QRectF(60, 112, 136, 76))
    p.setBrush(QColor(INK))
    if size < 32:
        for left in (78, 114, 150):
            p.drawRect(QRectF(left, 124, 26, 52))
    else:
        widths = (6, 3, 9, 3, 6, 12, 3, 6, 3, 9, 6, 3, 9)
        x = 76.0
        for i, w in enumerate(widths):
            if i % 2 == 0:
                p.drawRect(QRectF(x, 124, w, 52))
            x += w + 2.5
    p.end()
    return image


def png_bytes(image: object) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[attr-defined]
    buf.close()
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    images: dict[int, Image.Image] = {}
    for size in SIZES:
        data = png_bytes(draw(size))
        (OUT / f"smallbatch-{size}.png").write_bytes(data)
        images[size] = Image.open(io.BytesIO(data)).convert("RGBA")
    # Pillow picks each ICO/ICNS entry from the closest image it is given, so hand it
    # the hand-drawn sizes rather than letting it downscale the largest one.
    biggest = images[256]
    biggest.save(
        OUT / "smallbatch.ico",
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    images[512].save(
        OUT / "smallbatch.icns",
        format="ICNS",
        append_images=[images[s] for s in ICNS_SIZES if s != 512],
    )
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
