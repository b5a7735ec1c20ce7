"""What a build keeps for the next build in the same process, or on disk.

``PickleFolder``: the build caches (validated roles, rendered pages) store one
value per entry file. A value read or written once stays in memory while its
file exists, so a process that builds again (``handbook serve`` after an edit)
unpickles only what changed. ``ObjectMemo``: what is worked out from a role
(its fingerprint, the findings of its own checks) is worked out once.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from generator.pages import write_file

V = TypeVar("V")


class PickleFolder:
    _memory: ClassVar[dict[Path, Any]] = {}

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[Path] = set()

    def entry(self, name: str) -> Path:
        """The file of entry ``name``, noted as used by this build."""
        path = self.folder / f"{name}.pickle"
        self.used.add(path)
        return path

    def load(self, entry: Path) -> Any:
        """The value stored in ``entry``; None if there is none or it is damaged."""
        if entry in self._memory and entry.is_file():
            return self._memory[entry]
        try:
            value = pickle.loads(entry.read_bytes())
        except Exception:  # missing or damaged: the caller makes it again
            return None
        self._memory[entry] = value
        return value

    def store(self, entry: Path, value: Any) -> None:
        write_file(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self._memory[entry] = value

    def prune(self) -> None:
        """Forget the entries this build did not use."""
        for entry in self.folder.glob("*.pickle"):
            if entry not in self.used:
                entry.unlink(missing_ok=True)
        for entry in [entry for entry in self._memory if entry.parent == self.folder]:
            if entry not in self.used:
                del self._memory[entry]


class ObjectMemo(Generic[V]):
    """Values computed from immutable objects (validated roles), by the object.

    The object is held with its value, so its ``id`` is not reused while the
    entry lives; ``keep`` forgets the entries of objects no longer in use.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[int, Hashable], tuple[object, V]] = {}

    def get(self, owner: object, key: Hashable, compute: Callable[[], V]) -> V:
        entry = self._values.get((id(owner), key))
        if entry is None or entry[0] is not owner:
            entry = (owner, compute())
            self._values[(id(owner), key)] = entry
        return entry[1]

    def keep(self, owners: Iterable[object]) -> None:
        current = {id(owner) for owner in owners}
        for memo_key in [memo_key for memo_key in self._values if memo_key[0] not in current]:
            del self._values[memo_key]
