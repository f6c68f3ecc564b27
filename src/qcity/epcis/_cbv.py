"""CBV 2.0 standard vocabularies: the three spellings of a term and their normal forms.

A CBV term may be written bare (``shipping``, JSON), as a URN
(``urn:epcglobal:cbv:bizstep:shipping``, XML) or as a GS1 Web URI
(``https://ref.gs1.org/cbv/BizStep-shipping``, also the CURIE ``cbv:BizStep-shipping``).
qcity stores the bare short name; values outside the CBV must be absolute URIs (user
vocabulary) and are stored as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
        "sensor_reporting",
        "sampling",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "container_closed",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "no_pedigree_match",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unknown",
        "available",
        "completeness_verified",
        "completeness_inferred",
        "conformant",
        "container_open",
        "mismatch_instance",
        "mismatch_class",
        "mismatch_quantity",
        "needs_replacement",
        "non_conformant",
        "unavailable",
    ]
)
BIZ_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
SOURCE_DEST_TYPES = frozenset(("owning_party", "possessing_party", "location"))
ERROR_REASONS = frozenset(("did_not_occur", "incorrect_data"))


@dataclass(frozen=True, slots=True, eq=False)  # module singletons: identity hash
class Vocabulary:
    name: str  # the EPCIS field, for messages
    terms: frozenset[str]
    urn_prefix: str  # urn:epcglobal:cbv:bizstep:
    web_prefix: str  # https://ref.gs1.org/cbv/BizStep-


BIZ_STEP = Vocabulary(
    "bizStep", BIZ_STEPS, "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"
)
DISPOSITION = Vocabulary(
    "disposition", DISPOSITIONS, "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"
)
BIZ_TRANSACTION_TYPE = Vocabulary(
    "bizTransaction type",
    BIZ_TRANSACTION_TYPES,
    "urn:epcglobal:cbv:btt:",
    "https://ref.gs1.org/cbv/BTT-",
)
SOURCE_DEST_TYPE = Vocabulary(
    "source/destination type",
    SOURCE_DEST_TYPES,
    "urn:epcglobal:cbv:sdt:",
    "https://ref.gs1.org/cbv/SDT-",
)
ERROR_REASON = Vocabulary(
    "errorDeclaration reason", ERROR_REASONS, "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"
)
VOCABULARIES = (BIZ_STEP, DISPOSITION, BIZ_TRANSACTION_TYPE, SOURCE_DEST_TYPE, ERROR_REASON)

# An absolute URI: a scheme, a colon and something without blanks (RFC 3986 §3.1 scheme syntax).
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")


class VocabularyError(ValueError):
    """A value is neither a CBV term nor an absolute URI."""


@lru_cache(maxsize=1 << 16)
def is_absolute_uri(value: str) -> bool:
    return bool(_ABSOLUTE_URI.match(value))


@lru_cache(maxsize=1 << 12)
def short_name(vocabulary: Vocabulary, value: str) -> str:
    """The stored form: the bare CBV term, or the user-vocabulary URI as given.

    Raises :class:`VocabularyError` for a bare word outside the CBV, a URN or Web URI in the CBV's
    namespace naming no CBV term, and anything that is not an absolute URI.
    """
    value = value.strip()
    if value in vocabulary.terms:
        return value
    for prefix in (vocabulary.urn_prefix, vocabulary.web_prefix, _curie(vocabulary.web_prefix)):
        if value.startswith(prefix):
            term = value[len(prefix) :]
            if term in vocabulary.terms:
                return term
            raise VocabularyError(
                f"{vocabulary.name} {value!r} is in the CBV namespace but {term!r} is no CBV term"
            )
    if is_absolute_uri(value):
        return value
    raise VocabularyError(
        f"{vocabulary.name} {value!r} is not a CBV 2.0 term; use one of the standard terms "
        f"(e.g. {sorted(vocabulary.terms)[0]!r}) or an absolute URI for your own vocabulary"
    )


@lru_cache(maxsize=1 << 12)
def web_uri(vocabulary: Vocabulary, value: str) -> str:
    """The GS1 Web URI of a CBV term (for the event hash); user URIs unchanged."""
    term = short_name(vocabulary, value)
    return vocabulary.web_prefix + term if term in vocabulary.terms else term


def urn(vocabulary: Vocabulary, value: str) -> str:
    """The URN form of a CBV term (for XML output); user URIs unchanged."""
    term = short_name(vocabulary, value)
    return vocabulary.urn_prefix + term if term in vocabulary.terms else term


def _curie(web_prefix: str) -> str:
    return "cbv:" + web_prefix.rsplit("/", 1)[1]


# Prefixes of the EPCIS JSON-LD context (CURIEs in values, for the hash: CBV §8.9 rule 15).
CONTEXT_PREFIXES = {
    "gs1": "https://gs1.org/voc/",
    "cbv": "https://ref.gs1.org/cbv/",
    "epcis": "https://ref.gs1.org/epcis/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
}
