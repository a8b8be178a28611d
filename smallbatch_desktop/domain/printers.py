"""Printer presets: the resolution a label is rendered for, per common printer.

A barcode is snapped to whole printer dots, so rendering for the wrong resolution
makes uneven bars: a label rendered for 300 dpi and printed on a 203 dpi thermal printer
may not scan.  The print dialog therefore asks which printer the first time (there is no
silent default), offering these presets; the maker can still type any resolution.
Resolutions are the makers' published print-head resolutions across the head.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrinterPreset:
    name: str
    dpi: int
    kind: str  # "thermal roll" | "office sheet"
    note: str = ""


PRINTER_PRESETS: tuple[PrinterPreset, ...] = (
    PrinterPreset("Zebra ZD220 / ZD230 / ZD421 / ZD621, 203 dpi", 203, "thermal roll"),
    PrinterPreset("Zebra GK420d / GK420t / GC420", 203, "thermal roll"),
    PrinterPreset(
        "Zebra ZD421 / ZD621, 300 dpi model", 300, "thermal roll", "the 300 dpi head option"
    ),
    PrinterPreset("Rollo thermal label printer", 203, "thermal roll"),
    PrinterPreset(
        "Brother QL-500 / QL-570 / QL-700 / QL-800 / QL-820NWB / QL-1100",
        300,
        "thermal roll",
        "300 dpi across the head",
    ),
    PrinterPreset(
        "Dymo LabelWriter 450 / 4XL / 550 / 5XL",
        300,
        "thermal roll",
        "300 dpi across the head (600 along the feed)",
    ),
    PrinterPreset("Office laser or inkjet, 300 dpi", 300, "office sheet"),
    PrinterPreset("Office laser or inkjet, 600 dpi", 600, "office sheet"),
)
