"""Element order in EPCIS XML: the XSD's ``xsd:sequence`` per element type, and a reorderer.

The XML binding's XSD (``EPCglobal-epcis-2_0.xsd``) declares each event type, and most of the
containers inside an event (quantity elements, read point, sensor elements…), as an
``xsd:sequence``: the children must come in the schema's order. JSON has no element order, and
some producers write XML children in another order (OpenEPCIS's ``JumbledFieldsOrder.xml``).
:func:`canonical_order` moves the children of an event, and of its containers, into the
schema's order when every child is one the sequence names (unqualified) or one its trailing
``xsd:any namespace="##other"`` admits (namespaced extension elements, whose relative order is
kept). A child the sequence has no place for (an unknown unqualified element) is moved last: no
position would make it valid, and there the XSD reports that element rather than the order.
Types whose content is an ``xsd:choice`` (error declarations) take any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

_XSD = Path(__file__).parent / "data" / "xsd" / "EPCglobal-epcis-2_0.xsd"
_XS = "{http://www.w3.org/2001/XMLSchema}"
_EPCIS_TYPE = "epcis:"
ANY = "##other"  # the position of namespaced (extension) elements in a sequence


@dataclass(frozen=True, slots=True)
class Sequence:
    """One complex type's children in order: names (or :data:`ANY`) and each name's type."""

    order: tuple[str, ...]
    types: dict[str, str]

    def position(self, element: etree._Element) -> int | None:
        """Where ``element`` belongs in the sequence, or None when the sequence has no place."""
        qname = etree.QName(element)
        name = ANY if qname.namespace is not None else qname.localname
        try:
            return self.order.index(name)
        except ValueError:
            return None


def _items(node: etree._Element) -> Iterator[tuple[str, str] | None]:
    """(name, type) of each element a sequence declares, ``(ANY, "")`` for ##other; None for
    anything that makes the order free or unknown (a choice, ##local wildcards)."""
    for child in node:
        if child.tag == f"{_XS}element" and child.get("name"):
            yield str(child.get("name")), str(child.get("type", ""))
        elif child.tag == f"{_XS}sequence":
            yield from _items(child)
        elif child.tag == f"{_XS}any" and child.get("namespace") == "##other":
            yield ANY, ""
        elif child.tag in (f"{_XS}any", f"{_XS}choice", f"{_XS}group"):
            yield None


@lru_cache(maxsize=1)
def sequences() -> dict[str, Sequence]:
    """Every named complex type of the EPCIS XSD whose content is a plain sequence."""
    root = etree.parse(str(_XSD)).getroot()
    types = {str(t.get("name")): t for t in root.iter(f"{_XS}complexType") if t.get("name")}
    found: dict[str, Sequence] = {}

    def items_of(name: str) -> list[tuple[str, str] | None] | None:
        node = types.get(name)
        if node is None:
            return None
        own = node.find(f"{_XS}sequence")
        extension = node.find(f"{_XS}complexContent/{_XS}extension")
        if extension is not None:
            base = items_of(str(extension.get("base", "")).removeprefix(_EPCIS_TYPE))
            inner = extension.find(f"{_XS}sequence")
            if base is None or inner is None:
                return None
            return [*base, *_items(inner)]
        return list(_items(own)) if own is not None else None

    for name in types:
        items = items_of(name)
        if not items or any(item is None for item in items):
            continue
        pairs = [item for item in items if item is not None]
        found[name] = Sequence(
            tuple(n for n, _ in pairs),
            {n: t.removeprefix(_EPCIS_TYPE) for n, t in pairs if t.startswith(_EPCIS_TYPE)},
        )
    return found


def canonical_order(element: etree._Element, type_name: str) -> list[etree._Element]:
    """Reorder ``element``'s children (and its containers', recursively) into the XSD's order.

    Returns the elements whose children were moved, in document order (empty: the order was
    already right).
    """
    moved: list[etree._Element] = []
    _reorder(element, type_name, moved)
    if len(moved) > 1:
        place = {node: i for i, node in enumerate(element.iter())}
        moved.sort(key=place.__getitem__)
    return moved


def _reorder(element: etree._Element, type_name: str, moved: list[etree._Element]) -> None:
    sequence = sequences().get(type_name)
    if sequence is None:
        return
    children = [c for c in element if isinstance(c.tag, str)]
    for child in children:
        if etree.QName(child).namespace is None:
            child_type = sequence.types.get(etree.QName(child).localname)
            if child_type:
                _reorder(child, child_type, moved)
    last = len(sequence.order)  # no place in the sequence: last, where the XSD names it
    positions = [sequence.position(c) for c in children]
    ranked = sorted(range(len(children)), key=lambda i: _rank(positions[i], last))
    if ranked == list(range(len(children))):
        return
    for child in children:
        element.remove(child)  # comments and processing instructions were removed by the parser
    element.extend(children[i] for i in ranked)
    moved.append(element)


def _rank(position: int | None, last: int) -> int:
    return last if position is None else position
