"""Chinese word segmentation tuned from the handbook's own vocabulary.

The site's search finds words by prefix, and jieba keeps compounds such as
客户关系 or 市场份额 whole, so their second half (关系, 份额) would never be
found. Before the search index is built, every compound in the role titles,
goal names, duty areas and training titles that splits into two dictionary
words is split (``jieba.suggest_freq``). The whole compound is still found,
because the browser splits a query with the index's own vocabulary.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.read.model import Role
from generator.store import write_file

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def handbook_terms(roles: Iterable[Role]) -> Iterator[str]:
    """What readers search for: titles, areas, duties, goals, modules, checklist items."""
    for role in roles:
        yield role.title
        for area in role.responsibilities:
            yield area.area
            for duty in area.duties:
                yield duty.title
                yield duty.description
        for goal in role.goals:
            yield goal.name
            yield goal.metric_name
        if role.training:
            yield from (module.title for module in role.training.modules)
        for checklist in role.checklists:
            yield checklist.title
            yield from (item.text for item in checklist.items)
        if role.scorecard:
            yield from (item.name for item in role.scorecard.items)
        yield from role.qualifications.skills


def compound_splits(terms: Iterable[str]) -> list[tuple[str, str]]:
    """Compounds jieba keeps whole that split into two known words of 2+ characters."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    freq = jieba.dt.FREQ
    splits: set[tuple[str, str]] = set()
    for term in terms:
        for word in jieba.cut(term, HMM=False):
            if len(word) < 4 or not _HAN.match(word):
                continue
            best: tuple[int, tuple[str, str]] | None = None
            for i in range(2, len(word) - 1):
                head, tail = word[:i], word[i:]
                score = min(freq.get(head, 0), freq.get(tail, 0))
                if score > 0 and (best is None or score > best[0]):
                    best = (score, (head, tail))
            if best is not None:
                splits.add(best[1])
    return sorted(splits)


def tune_segmentation(
    roles: Iterable[Role], cache_file: Path | None = None
) -> list[tuple[str, str]]:
    """Teach jieba (process-wide) to split the handbook's compounds; returns the splits.

    With ``cache_file``, each role's splits are kept by the hash of the role, so an
    unchanged role is not segmented again.
    """
    import jieba

    cached = _read_cache(cache_file)
    fresh: dict[str, list[tuple[str, str]]] = {}
    for role in roles:
        # (warnings=False: a confidential number left out is its label, as text)
        key = hashlib.sha256(role.model_dump_json(warnings=False).encode("utf-8")).hexdigest()
        fresh[key] = cached[key] if key in cached else compound_splits(handbook_terms([role]))
    if cache_file is not None:
        write_file(cache_file, json.dumps(fresh, ensure_ascii=False).encode("utf-8"))
    splits = sorted({pair for pairs in fresh.values() for pair in pairs})
    jieba.setLogLevel(logging.WARNING)
    for pair in splits:
        jieba.suggest_freq(pair, tune=True)
    return splits


def _read_cache(path: Path | None) -> dict[str, list[tuple[str, str]]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): [(str(a), str(b)) for a, b in v] for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def search_words(text: str) -> str:
    """Each word of ``text`` and its parts, space-separated (销售主任 -> 销售 主任 销售主任).

    Given to a search engine that segments text its own way, so that a part
    of a compound (主任) finds the page the compound names.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = dict.fromkeys(word.strip() for word in jieba.cut_for_search(text))
    return " ".join(word for word in words if any(char.isalnum() for char in word))
