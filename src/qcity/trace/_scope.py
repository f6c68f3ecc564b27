"""Who sees which trace rows, trace events and recall holders (checked on the server).

The rule (the trace pages and ``/api/trace`` / ``/api/recalls`` apply the same one):

* admins and analysts (``view_all_entities``) see every lot, holder and recall case;
* an enterprise user sees a lot row when the lot is **held** by its own credit code or was
  **made** by it (the lot's GS1 Company Prefix, or the credit code in ``urn:qcity:lot:``,
  is its own); a trace whose root lot is neither is reported as not found;
* an inspector sees the rows whose holder (or, failing that, the maker) is in one of the
  inspector's towns, on the same terms;
* of a trace's events, a user who does not see everything gets those that put a lot of the
  trace at a party it sees (the event's location, or for a shipment or receipt its source and
  destination): the events behind the nodes the trace graph draws for that user.

Recall cases: admins and analysts start them and see all of them; other users see the cases in
which they can see at least one holder, and only those holders and their lots. Anyone who
sees a holder may report its progress (an enterprise its own, an inspector those in its towns).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.accounts._authz import VIEW_ALL, Principal, can_see_entity, has_permission
from qcity.accounts.models import Role
from qcity.epcis._identifiers import QCITY_LOT_PREFIX
from qcity.errors import NotFound
from qcity.trace import repository
from qcity.trace._spreadsheet import _party
from qcity.trace.models import RecallCase, RecallHolder
from qcity.trace.schemas import TraceLotOut, TraceOut

PAGE = 100
MOVES = ("shipping", "receiving", "returning", "departing", "arriving")


def sees_all(user: Principal) -> bool:
    """Admins and analysts: every trace and recall."""
    return has_permission(user, VIEW_ALL)


def may_start_recall(user: Principal) -> bool:
    """Only the bureau's admins and analysts open recall cases."""
    return sees_all(user)


def maker_of(identifier: str, keys: repository.Resolver) -> str | None:
    """The credit code of whoever made a lot (company prefix or qcity lot URN)."""
    if identifier.startswith(QCITY_LOT_PREFIX):
        return identifier[len(QCITY_LOT_PREFIX) :].split(":", 1)[0]
    for scheme in ("urn:epc:class:lgtin:", "urn:epc:id:sgtin:", "urn:epc:id:sscc:"):
        if identifier.startswith(scheme):
            return keys.prefixes.get(identifier[len(scheme) :].split(".", 1)[0])
    return None


def holder_of(holder: str | None, keys: repository.Resolver) -> str | None:
    """A row's holder as a credit code (it is one already when known, else a party URI)."""
    if holder is None:
        return None
    if len(holder) == 18 and holder.isalnum():
        return holder
    return keys.lookup(holder)[0]


@dataclass(frozen=True)
class Scope:
    """The visibility test for one user, with the lookups it needs."""

    user: Principal
    keys: repository.Resolver
    towns: dict[str, str]  # credit code -> town code

    @classmethod
    def load(cls, session: Session, user: Principal, rows: Sequence[TraceLotOut]) -> Scope:
        keys = repository.resolver(session)
        codes = {holder_of(r.holder, keys) for r in rows} | {maker_of(r.id, keys) for r in rows}
        found = repository.entities(session, {c for c in codes if c})
        return cls(user, keys, {uscc: town for uscc, (_name, town) in found.items()})

    def sees_party(self, uscc: str | None, town: str | None = None) -> bool:
        if sees_all(self.user):
            return True
        if uscc is None:
            return False
        return can_see_entity(self.user, uscc, town or self.towns.get(uscc))

    def sees_row(self, row: TraceLotOut) -> bool:
        """Whether the user may see this (lot, holder) row."""
        if sees_all(self.user):
            return True
        if self.sees_party(holder_of(row.holder, self.keys), row.town):
            return True
        return self.sees_party(maker_of(row.id, self.keys))

    def sees_node(self, lot: str, holder: str | None) -> bool:
        """Whether the user may see a lot at a holder (graph nodes)."""
        return (
            sees_all(self.user)
            or self.sees_party(holder)
            or self.sees_party(maker_of(lot, self.keys))
        )

    def rows(self, rows: Iterable[TraceLotOut]) -> list[TraceLotOut]:
        return [r for r in rows if self.sees_row(r)]


def _event_parties(event: repository.EventDetail, keys: repository.Resolver) -> set[str | None]:
    """Where an event puts its lots: its location's holder, or for a move source and target."""
    here = keys.lookup(event.biz_location)[0] if event.biz_location else None
    if event.event_type in ("TransformationEvent", "AggregationEvent"):
        return {here}
    source = holder_of(_party(event.sources), keys)
    target = holder_of(_party(event.destinations), keys)
    if (event.biz_step or "") in MOVES and (source or target):
        return {source or here, target or here}
    return {here}


def visible_events(
    session: Session, scope: Scope, lots: set[str], event_pks: Sequence[int]
) -> set[int]:
    """The events among ``event_pks`` that put one of ``lots`` at a party the user sees."""
    found: set[int] = set()
    for event in repository.event_details(session, list(event_pks)):
        parties = _event_parties(event, scope.keys)
        if any(
            scope.sees_node(lot, party)
            for _role, lot, *_ in event.objects
            if lot in lots
            for party in parties
        ):
            found.add(event.pk)
    return found


def scoped_trace_out(
    session: Session, user: Principal, out: TraceOut, event_pks: Sequence[int]
) -> TraceOut:
    """``out`` cut down to the rows and events ``user`` may see.

    Parameters
    ----------
    session
        An open session.
    user
        Who asks.
    out
        The whole trace (:func:`qcity.trace.service.trace`).
    event_pks
        The database keys of the trace's events, in ``out.events`` order.

    Raises
    ------
    NotFound
        When the root lot is outside the user's scope (the answer an unknown identifier gets).
    """
    if sees_all(user):
        return out
    scope = Scope.load(session, user, out.lots)
    rows = scope.rows(out.lots)
    if not any(r.depth == 0 for r in rows):
        raise NotFound(f"no traceability events name {out.root}")
    ids = repository.event_ids(session, event_pks)
    keep = visible_events(session, scope, {r.id for r in out.lots}, event_pks)
    events = [ids[pk] for pk in event_pks if pk in keep and pk in ids]
    return TraceOut(root=out.root, lots=rows, events=events)


def sees_holder(user: Principal, holder: RecallHolder) -> bool:
    """Whether the user may see (and report the progress of) a recall holder."""
    if sees_all(user):
        return True
    code = holder.holder if len(holder.holder) == 18 else None
    return code is not None and can_see_entity(user, code, holder.town_code)


def visible_cases(
    session: Session, user: Principal, before: int | None = None, limit: int | None = PAGE
) -> list[RecallCase]:
    """Recall cases the user may see, newest first: one page of ``limit`` (keyset on the id),
    or all of them when ``limit`` is None."""
    query = select(RecallCase).order_by(RecallCase.id.desc())
    if limit is not None:
        query = query.limit(limit)
    if before is not None:
        query = query.where(RecallCase.id < before)
    if not sees_all(user):
        holders = select(RecallHolder.case_id)
        if user.uscc is not None and user.role == Role.ENTERPRISE:
            holders = holders.where(RecallHolder.holder == user.uscc)
        elif user.role == Role.INSPECTOR and user.towns:
            holders = holders.where(RecallHolder.town_code.in_(sorted(user.towns)))
        else:
            return []
        query = query.where(RecallCase.id.in_(holders))
    return list(session.scalars(query))
