"""Strings interned to dense integer ids (identifiers, parties and locations, units)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

SEPARATOR = "\n"  # never inside an identifier, a URI or a unit code


class Interner:
    """A two-way map between strings and ids ``0..n-1``; ``None`` maps to ``-1``."""

    __slots__ = ("_ids", "_strings")

    def __init__(self, strings: Sequence[str] = ()) -> None:
        self._strings: list[str] = list(strings)
        self._ids: dict[str, int] = {s: i for i, s in enumerate(self._strings)}

    def __len__(self) -> int:
        return len(self._strings)

    def get(self, value: str) -> int | None:
        return self._ids.get(value)

    def string(self, index: int) -> str | None:
        return None if index < 0 else self._strings[index]

    def intern(self, value: str) -> int:
        index = self._ids.get(value)
        if index is None:
            index = len(self._strings)
            self._ids[value] = index
            self._strings.append(value)
        return index

    def intern_many(self, values: Sequence[str | None]) -> npt.NDArray[np.int32]:
        ids = self._ids
        strings = self._strings
        out = np.empty(len(values), dtype=np.int32)
        for i, value in enumerate(values):
            if value is None:
                out[i] = -1
                continue
            index = ids.get(value)
            if index is None:
                index = len(strings)
                ids[value] = index
                strings.append(value)
            out[i] = index
        return out

    def strings(self) -> list[str]:
        return list(self._strings)

    def to_bytes(self) -> npt.NDArray[np.uint8]:
        """All strings joined, as bytes (for ``.npz`` files without pickling)."""
        return np.frombuffer(SEPARATOR.join(self._strings).encode(), dtype=np.uint8)

    @classmethod
    def from_bytes(cls, blob: npt.NDArray[np.uint8], count: int) -> Interner:
        if count == 0:
            return cls()
        strings = blob.tobytes().decode().split(SEPARATOR)
        if len(strings) != count:
            raise ValueError("interned strings do not match their count")
        return cls(strings)
