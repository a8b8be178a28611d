"""The batch record as PDF/A-2b, checked structurally against ISO 19005-2.

No PDF/A validator installs here: veraPDF needs Java from a download this build cannot
reach, and neither PyPI nor Debian carries another.  So the test reads the file back
with pikepdf (qpdf, independent of ReportLab) and checks the requirements a level-B
validator checks: the XMP identification and its agreement with the document
information, the output intent and its ICC profile, embedded fonts (and the TrueType
cmap rule), no transparency, no device colour other than the intent's, no encryption,
no JavaScript, the trailer ID and the binary header comment.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct

import pikepdf
import pytest
from defusedxml import ElementTree
from helpers.pdfread import decode_pdf, fonts_of
from sqlalchemy.orm import Session
from unit.services.reports_factory import HOSTILE_SUPPLIER, genealogy

from smallbatch_desktop.pdf.provenance import render_provenance_sheet
from smallbatch_desktop.services.reports import batch_record

GEN_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def _iso(pdf_date: str) -> str:
    """D:20261203083701+00'00' -> 2026-12-03T08:37:01+00:00"""
    m = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)([+-])(\d\d)'(\d\d)'", pdf_date)
    assert m, pdf_date
    y, mo, d, h, mi, s, sign, th, tm = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{sign}{th}:{tm}"


def _cmap_subtables(font_program: bytes) -> int:
    """How many encodings the embedded TrueType program's 'cmap' table holds."""
    num_tables = struct.unpack(">H", font_program[4:6])[0]
    for i in range(num_tables):
        tag, _sum, offset, _len = struct.unpack(">4sIII", font_program[12 + 16 * i : 28 + 16 * i])
        if tag == b"cmap":
            return int(struct.unpack(">H", font_program[offset + 2 : offset + 4])[0])
    raise AssertionError("no cmap table")


@pytest.fixture
def pdfs(session: Session) -> tuple[bytes, bytes]:
    g = genealogy(session)
    rec = batch_record(session, g.batches["HS-001"].id)
    plain = render_provenance_sheet(rec, generated_at=GEN_AT, tz=dt.UTC)
    archive = render_provenance_sheet(rec, generated_at=GEN_AT, tz=dt.UTC, pdfa=True)
    return plain, archive


def test_batch_record_pdfa_2b_structure(pdfs: tuple[bytes, bytes]) -> None:
    plain, data = pdfs
    # 6.1.2 header: %PDF-1.n then a comment of at least four bytes above 127
    assert re.match(rb"%PDF-1\.[0-7]\r?\n%[\x80-\xff]{4}", data)
    # 6.1.7.1 streams: "stream" then an EOL, and an EOL before "endstream"
    assert data.count(b"endstream") == len(re.findall(rb"[\r\n]endstream", data)) > 3
    assert data.count(b"endstream") == len(re.findall(rb"stream\r?\n", data)) - data.count(
        b"endstream"
    )
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root, info = pdf.Root, pdf.docinfo
        # 6.1.3 trailer: an ID, no encryption
        assert len(pdf.trailer.ID) == 2 and "/Encrypt" not in pdf.trailer
        assert not pdf.is_encrypted
        assert pdf.check_pdf_syntax() == []  # qpdf: lengths, xref, objects
        # 6.6 metadata: an uncompressed XMP stream identifying PDF/A-2 level B ...
        meta = root.Metadata
        assert meta.Type == "/Metadata" and meta.Subtype == "/XML" and "/Filter" not in meta
        xml = ElementTree.fromstring(meta.read_bytes())
        assert xml is not None
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            assert xmp.pdfa_status == "2B"
            # ... that agrees with the document information dictionary
            assert xmp["dc:title"] == str(info.Title)
            assert xmp["dc:creator"] == [str(info.Author)]
            assert xmp["dc:description"] == str(info.Subject)
            assert xmp["pdf:Producer"] == str(info.Producer)
            assert xmp["pdf:Keywords"] == str(info.Keywords)
            assert xmp["xmp:CreatorTool"] == str(info.Creator)
            assert xmp["xmp:CreateDate"] == _iso(str(info.CreationDate))
            assert xmp["xmp:ModifyDate"] == _iso(str(info.ModDate))
        # 6.2.4.3 output intent: GTS_PDFA1 with an RGB ICC profile of version 2 to 4
        (intent,) = root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and str(intent.OutputConditionIdentifier)
        icc = intent.DestOutputProfile
        assert int(icc.N) == 3
        profile = icc.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "
        assert 2 <= profile[8] <= 4
        assert struct.unpack(">I", profile[:4])[0] == len(profile)
        # 6.1.7/6.6.1 nothing executable or attached
        for key in ("/JavaScript", "/AA", "/OpenAction"):
            assert key not in root
        assert "/Names" not in root or "/EmbeddedFiles" not in root.Names
        for page in pdf.pages:
            # 6.2.10 transparency: none is used (no group, soft mask or alpha below 1)
            assert "/Group" not in page.obj
            res = page.Resources
            for gs in (res.get("/ExtGState") or {}).values():
                assert float(gs.get("/ca", 1)) == 1 and float(gs.get("/CA", 1)) == 1
                assert gs.get("/SMask", pikepdf.Name.None_) == pikepdf.Name.None_
            for xo in (res.get("/XObject") or {}).values():
                assert "/SMask" not in xo
            # 6.3.2 annotations (none here; any would need the print flag)
            for annot in page.obj.get("/Annots", []):
                assert int(annot.get("/F", 0)) & 4
            # 6.2.4.3 colour: only the intent's RGB (and gray), never device CMYK
            ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert not ops & {"k", "K"}, ops & {"k", "K"}
            # 6.2.11.6 symbolic TrueType: no Encoding, one cmap encoding in the program
            for font in res.Font.values():
                assert font.Subtype == "/TrueType" and "/Encoding" not in font
                assert int(font.FontDescriptor.Flags) & 4  # symbolic
                assert _cmap_subtables(font.FontDescriptor.FontFile2.read_bytes()) == 1
    # 6.2.11.4 every font embedded (and subset)
    assert all(f.ok for f in fonts_of(data))
    # the archive holds the same document: same pages, same barcode
    assert [c.text for c in decode_pdf(data, pages=[0])] == ["HS-001"]
    assert [c.text for c in decode_pdf(plain, pages=[0])] == ["HS-001"]


def test_the_plain_sheet_is_not_marked_pdfa(pdfs: tuple[bytes, bytes]) -> None:
    """The check above can fail: without the option there is no XMP and no intent."""
    plain, _ = pdfs
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        assert "/Metadata" not in pdf.Root and "/OutputIntents" not in pdf.Root
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            assert xmp.pdfa_status == ""


def test_xmp_escapes_hostile_text(session: Session) -> None:
    """A producer named with XML markup stays text in the metadata (well-formed XMP)."""
    from smallbatch_desktop.pdf.pdfa import xmp_packet

    packet = xmp_packet(
        title=f"Sheet {HOSTILE_SUPPLIER}",
        author="<x>&</x>",
        subject="]]>",
        keywords="",
        creator="c",
        producer="p",
        date="2026-01-01T00:00:00+00:00",
    )
    xml = ElementTree.fromstring(packet)
    texts = "".join(xml.itertext())
    assert "<x>&</x>" in texts and HOSTILE_SUPPLIER in texts
