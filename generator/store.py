"""The build state: everything a build may reuse from an earlier one, in one object.

A :class:`BuildState` is made for a build and passed to every stage; ``handbook
serve`` keeps one for all its rebuilds, so what did not change is neither read nor
worked out again. No module keeps state of its own: every cache lives here.

- ``folder(name)``: a :class:`PickleFolder` under the cache folder on disk (validated
  roles, rendered pages), whose values stay in memory while this state lives.
- ``memo(name)``: an :class:`ObjectMemo` of values worked out from immutable objects
  (a role's fingerprint, the findings of its own checks).
- ``kept(name, key, make)``: any other object kept for the next build (a Jinja
  environment per templates folder, what each page file holds).

The stages name their own entries; this module knows nothing of what they hold.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class BuildState:
    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._folders: dict[str, PickleFolder] = {}
        self._memos: dict[str, ObjectMemo[Any]] = {}
        self._kept: dict[tuple[str, Hashable], Any] = {}

    def folder(self, name: str) -> PickleFolder:
        """The on-disk store ``cache_dir/name`` (one object per name while the state lives)."""
        if name not in self._folders:
            self._folders[name] = PickleFolder(self.cache_dir / name)
        return self._folders[name]

    def memo(self, name: str) -> ObjectMemo[Any]:
        if name not in self._memos:
            self._memos[name] = ObjectMemo()
        return self._memos[name]

    def kept(self, name: str, key: Hashable, make: Callable[[], V]) -> V:
        """The object kept under ``(name, key)``, made by ``make`` the first time."""
        if (name, key) not in self._kept:
            self._kept[(name, key)] = make()
        value: V = self._kept[(name, key)]
        return value


class PickleFolder:
    """Values pickled one per entry file; a value read or written stays in memory while
    its file exists. ``prune`` removes the entries a build did not use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[Path] = set()
        self._memory: dict[Path, Any] = {}

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

    def store(self, entry: Path, value: Any) -> bytes:
        """Store ``value`` in ``entry``; its pickle, as written."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_file(entry, data)
        self._memory[entry] = value
        return data

    def remember(self, entry: Path, value: Any) -> None:
        """``value``, which another process (a forked worker) stored in ``entry``."""
        self._memory[entry] = value

    def prune(self) -> None:
        """Forget the entries this build did not use (and start noting them afresh), and
        remove what a killed build left half written."""
        for entry in self.folder.glob("*.pickle"):
            if entry not in self.used:
                entry.unlink(missing_ok=True)
        for left in self.folder.glob("*.tmp"):
            left.unlink(missing_ok=True)
        for entry in [entry for entry in self._memory if entry not in self.used]:
            del self._memory[entry]
        self.used = set()


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

    def find(self, owner: object, key: Hashable) -> V | None:
        """The value kept for ``owner`` and ``key``, or None."""
        entry = self._values.get((id(owner), key))
        return entry[1] if entry is not None and entry[0] is owner else None

    def put(self, owner: object, key: Hashable, value: V) -> None:
        self._values[(id(owner), key)] = (owner, value)

    def keep(self, owners: Iterable[object]) -> None:
        current = {id(owner) for owner in owners}
        for memo_key in [memo_key for memo_key in self._values if memo_key[0] not in current]:
            del self._values[memo_key]


def write_file(target: Path, data: bytes, *, whole: bool = False) -> bool:
    """Write ``data`` unless the file already holds it; True when it was written.

    A file that is there is replaced by a temporary file renamed over it, so a reader
    never sees half of it (one per process: two processes may write the same entry, as
    forked readers do for two role files with the same bytes). A new file is made in
    place, by this process alone, which costs half as much (a build makes thousands):
    half of it is all a killed build can leave, which readers take for changed (pages,
    compared byte for byte) or damaged (cache entries, made again). ``whole``: a new
    file too is renamed into place, for readers that take a file as it is."""
    try:
        with open(target, "rb") as there:
            if there.read() == data:
                return False
    except FileNotFoundError:
        if not whole and _made_in_place(target, data):
            return True
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True


def _made_in_place(target: Path, data: bytes, *, again: bool = False) -> bool:
    """Whether ``target`` was made with ``data`` (False: another process made it first)."""
    try:
        with open(target, "xb") as new:
            new.write(data)
    except FileExistsError:
        return False
    except FileNotFoundError:  # (its folder is not there yet)
        if again:
            raise
        target.parent.mkdir(parents=True, exist_ok=True)
        return _made_in_place(target, data, again=True)
    return True
