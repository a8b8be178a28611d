"""PDF/A-2b (ISO 19005-2, level B): the batch record as an archive inspectors accept.

ReportLab writes most of what PDF/A asks already: every font embedded (see ``fonts``;
its TrueType subsets carry exactly one cmap encoding, as rule 6.2.11.6 asks of a symbolic
TrueType font), a document ID in the trailer, no encryption, no JavaScript, a binary
comment after the header.  :func:`make_pdfa` adds the rest to a canvas about to be saved:

- an XMP metadata stream (uncompressed) declaring ``pdfaid:part`` 2 and
  ``pdfaid:conformance`` B, whose title, author, subject, keywords, creator tool,
  producer and dates equal the document information dictionary's (rule 6.6.2.3);
- an output intent (``GTS_PDFA1``) with the sRGB ICC profile shipped in
  ``resources/icc`` (Zlib licence), since the pages paint in DeviceRGB (rule 6.2.4.3);
- an end-of-line before every ``endstream`` (rule 6.1.7.1), which ReportLab omits.

The batch record uses no transparency (no soft masks, no constant alpha below 1), no
annotations and no CMYK colour; the tests check those too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax.saxutils import escape

ICC_FILE = ("icc", "sRGB.icc")
OUTPUT_CONDITION = "sRGB IEC61966-2.1"


def _xmp_date(ts: Any) -> str:
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "-" if ts.dhh < 0 else "+"
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{ts.dmm:02d}"


def xmp_packet(
    *,
    title: str,
    author: str,
    subject: str,
    keywords: str,
    creator: str,
    producer: str,
    date: str,
) -> bytes:
    """The XMP metadata for a PDF/A-2b document (UTF-8, with its packet wrapper)."""

    def e(text: str) -> str:
        return escape(text)

    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{e(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(subject)}</rdf:li></rdf:Alt></dc:description>
   <pdf:Keywords>{e(keywords)}</pdf:Keywords>
   <pdf:Producer>{e(producer)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmp:CreatorTool>{e(creator)}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def _unfiltered_stream(dictionary: dict[str, Any], content: bytes) -> Any:
    """A stream written as is: no ``Filter`` key at all (ReportLab writes an empty
    ``/Filter []`` for ``filters=[]``), its data followed by an EOL before ``endstream``."""
    from reportlab.pdfbase import pdfdoc

    class Unfiltered(pdfdoc.PDFStream):
        def format(self, document: Any) -> bytes:
            d = pdfdoc.PDFDictionary(dict(self.dictionary.dict))
            data = document.encrypt.encode(self.content)
            d["Length"] = len(data)
            return bytes(pdfdoc.format(d, document) + b"\nstream\n" + data + b"\nendstream\n")

    return Unfiltered(pdfdoc.PDFDictionary(dictionary), content)


@contextmanager
def eol_before_endstream() -> Iterator[None]:
    """While saving: every stream's data is followed by an EOL before ``endstream``
    (ISO 19005-2 6.1.7.1; ReportLab writes ``endstream`` straight after the data).  The
    EOL is not part of the data, so each ``Length`` stays right.  Callers hold the lock
    that serialises saves (``common._A85_LOCK``)."""
    from reportlab.pdfbase import pdfdoc

    original = pdfdoc.PDFStream.format

    def with_eol(self: Any, document: Any) -> bytes:
        out = bytes(original(self, document))
        if out.endswith(b"endstream\n") and not out.endswith(b"\nendstream\n"):
            out = out[: -len(b"endstream\n")] + b"\nendstream\n"
        return out

    pdfdoc.PDFStream.format = with_eol
    try:
        yield
    finally:
        pdfdoc.PDFStream.format = original


def make_pdfa(canvas: Any) -> None:
    """Turn the document of a ReportLab canvas, before ``save()``, into PDF/A-2b.
    Save it inside :func:`eol_before_endstream`."""
    from reportlab.pdfbase import pdfdoc

    from smallbatch_desktop.paths import resource

    doc = canvas._doc
    info = doc.info
    xmp = _unfiltered_stream(
        {"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")},
        xmp_packet(
            title=info.title,
            author=info.author,
            subject=info.subject,
            keywords=info.keywords,
            creator=info.creator,
            producer=info.producer,
            date=_xmp_date(doc._timeStamp),
        ),
    )
    icc = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary({"N": 3}),
        resource(*ICC_FILE).read_bytes(),
        filters=[pdfdoc.PDFZCompress],
    )
    intent = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("OutputIntent"),
            "S": pdfdoc.PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": pdfdoc.PDFString(OUTPUT_CONDITION),
            "Info": pdfdoc.PDFString(OUTPUT_CONDITION),
            "DestOutputProfile": doc.Reference(icc, "sbICCProfile"),
        }
    )
    catalog = doc.Catalog
    catalog.Metadata = xmp
    catalog.OutputIntents = pdfdoc.PDFArray([doc.Reference(intent, "sbOutputIntent")])
    # PDFCatalog writes only the keys it lists; this instance lists the output intents too
    catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents"]
