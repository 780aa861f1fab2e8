"""An Atom 1.0 feed (RFC 4287) of catalogue entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from xml.etree import ElementTree as ET

from projections.catalogue import CatalogueEntry

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def atom_feed(entries: Sequence[CatalogueEntry], *, base_url: str = "") -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "urn:gongkai-ledger:catalogue"
    ET.SubElement(
        feed, f"{{{ATOM}}}title"
    ).text = "政府信息公开目录 Government information catalogue"
    newest = max((e.published_on for e in entries), default=date(2000, 1, 1))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Gongkai Ledger 公开台账"
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base_url}/catalogue/feed.atom")
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = f"urn:uuid:{entry.item_id}"
        ET.SubElement(node, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _stamp(entry.published_on)
        ET.SubElement(node, f"{{{ATOM}}}published").text = _stamp(entry.published_on)
        href = entry.url or f"{base_url}/catalogue/{entry.item_id}"
        ET.SubElement(node, f"{{{ATOM}}}link", rel="alternate", href=href)
        parts = [entry.index_number or "", entry.issuing_body, entry.document_number]
        summary = " · ".join(p for p in parts if p)
        if entry.summary:
            summary = f"{summary}\n{entry.summary}" if summary else entry.summary
        ET.SubElement(node, f"{{{ATOM}}}summary").text = summary
        if entry.theme:
            ET.SubElement(node, f"{{{ATOM}}}category", term=entry.theme)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
