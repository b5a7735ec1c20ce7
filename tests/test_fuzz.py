"""Property tests: whatever a role file holds, loading gives a role or located findings.

Never an exception, never a finding without a place or a message. Each example
gets a directory of its own (pytest's tmp_path is shared by all examples of a test).
"""

from __future__ import annotations

import contextlib
import copy
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.read.company import Company
from generator.read.findings import Finding
from generator.read.handbook import load_role
from generator.read.source import MAX_DEPTH, read_document
from tests.conftest import MINI_ROLES

# Hypothesis imports libcst to write a failing example as a patch; under
# filterwarnings=error libcst's import-time DeprecationWarning would turn a failing
# test into an INTERNALERROR. Import it once here, quietly.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

MINI_PATH = MINI_ROLES / "team-lead.yaml"
MINI = MINI_PATH.read_text(encoding="utf-8")
#: The valid role as plain data (every scalar is the text written, as the loader reads it).
MINI_DATA: dict[str, Any] = read_document(MINI_PATH).data

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load(data: bytes) -> tuple[Any, list[Finding], Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team-lead.yaml"
        path.write_bytes(data)
        role, findings = load_role(path, 256 * 1024, Company())
        reports = [f.format(Path(folder)) for f in findings]  # formatting never fails either
    assert len(reports) == len(findings)
    return role, findings, path


def assert_role_or_located_findings(data: bytes) -> None:
    role, findings, path = load(data)
    if role is not None and not role.partial:
        assert findings == []
        return
    # (a partial role: what could be read of a file with errors, for the checks across roles)
    assert findings, "no valid role and no findings"
    for finding in findings:
        assert finding.file == path
        assert finding.message.strip()
        assert finding.line >= 0 and finding.column >= 0
        assert finding.severity == "error"
        if finding.line > 0:
            assert finding.column >= 1
            assert finding.source_line is not None, f"no line shown for {finding}"
            assert len(finding.format().splitlines()) == 3, "headline, line, caret"


# --- (a) bytes and YAML-like text ------------------------------------------------------

TOKENS = [
    *("id", "title", "goals", "weight", "document", "version", "duties", "area", "x"),
    *(":", ": ", "- ", "-", "--- ", "...", "? ", "|", ">", "%YAML 1.1", "@", "`"),
    *("\n", "\n", "\n", "  ", "    ", " ", "\t", "\r\n", "\r", "\x85", "\u2028"),
    *("'", '"', "\\", "[", "]", "{", "}", ",", "#", "# comment"),
    *("&a ", "*a", "&b ", "*b", "!!str ", "!!python/name:os.system ", "!x ", "<<: "),
    *("~", "null", "yes", "no", "on", "1.10", "0123", "0x1F", "1e400", ".nan", "-.inf"),
    *("2026-01-05", "2026-13-45", "销售", "组长", "百分之二十", "é", "😀", "\ufeff"),
    *("\x00", "\x0c", "\x7f", "\x9f", "\ufffe"),
]
yamlish_text = st.lists(st.sampled_from(TOKENS) | st.text(max_size=5), min_size=0, max_size=60).map(
    "".join
)


@st.composite
def mutated_role_text(draw: st.DrawFn) -> str:
    """The valid role with a few spans replaced by YAML-like text."""
    text = MINI
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        length = draw(st.integers(0, 12))
        text = text[:start] + draw(yamlish_text) + text[start + length :]
    return text


encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030"])


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes(data: bytes) -> None:
    assert_role_or_located_findings(data)


@FUZZ
@given(yamlish_text)
def test_yaml_like_text(text: str) -> None:
    assert_role_or_located_findings(text.encode("utf-8"))


@FUZZ
@given(mutated_role_text(), encodings)
def test_mutated_role_text(text: str, encoding: str) -> None:
    assert_role_or_located_findings(text.encode(encoding, errors="replace"))


# --- (b) YAML-shaped structures --------------------------------------------------------

scalars = (
    st.text(max_size=12)
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
    | st.dates()
)
structures = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@FUZZ
@given(structures)
def test_any_structure(data: Any) -> None:
    assert_role_or_located_findings(dump(data))


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(MINI_DATA)), structures, max_size=8))
def test_role_keys_with_any_values(data: dict[str, Any]) -> None:
    assert_role_or_located_findings(dump(data))


Path_ = tuple[str | int, ...]


def containers(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every mapping and list in ``data``, with where it is."""
    if isinstance(data, dict):
        yield path, data
        for key, value in data.items():
            yield from containers(value, (*path, key))
    elif isinstance(data, list):
        yield path, data
        for index, value in enumerate(data):
            yield from containers(value, (*path, index))


@st.composite
def mutated_role(draw: st.DrawFn) -> dict[str, Any]:
    """The valid role with a few edits: a key dropped, a value's type changed, an
    unknown key added, a value nested deep."""
    role = copy.deepcopy(MINI_DATA)
    for _ in range(draw(st.integers(1, 3))):
        places = list(containers(role))
        _, container = draw(st.sampled_from(places))
        slots = list(container) if isinstance(container, dict) else list(range(len(container)))
        operation = draw(st.sampled_from(["drop", "retype", "add", "nest"]))
        if operation == "add" or not slots:
            if isinstance(container, dict):
                container[draw(st.text(max_size=12))] = draw(structures)
            else:
                container.append(draw(structures))
            continue
        slot = draw(st.sampled_from(slots))
        if operation == "drop":
            del container[slot]
        elif operation == "retype":
            container[slot] = draw(structures)
        else:
            value = container[slot]
            for _ in range(draw(st.integers(1, MAX_DEPTH + 10))):
                value = [value] if draw(st.booleans()) else {"x": value}
            container[slot] = value
    return role


@FUZZ
@given(mutated_role())
def test_mutated_role(data: dict[str, Any]) -> None:
    assert_role_or_located_findings(dump(data))


def test_the_unmutated_role_is_valid() -> None:
    role, findings, _ = load(dump(MINI_DATA))
    assert findings == [] and role is not None
