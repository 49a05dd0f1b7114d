"""Scoring of a trained tf-idf linear model without scikit-learn at prediction time.

Both the area model and the danger model keep, per feature space, the analyzer and a table
term -> (idf, weight per label), and add a message's sublinear, L2-normalised tf-idf (as
TfidfVectorizer computes it) times those weights to the intercepts. Standard library only: the
Rasa engine's process scores with it too (the danger model, and the intent blend's tf-idf walk
over its own numpy weights).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Table = tuple[Callable[[str], list[str]], dict[str, tuple[float, tuple[float, ...]]]]


def compile_tables(vectorizers: Iterable[Any], weights: Any) -> tuple[list[Table], int]:
    """One table per fitted TfidfVectorizer, whose columns follow each other in `weights`
    (rows: features, columns: labels); also returns the number of feature rows used."""
    tables: list[Table] = []
    offset = 0
    for vec in vectorizers:
        table = {
            term: (float(vec.idf_[col]), tuple(map(float, weights[offset + col])))
            for term, col in vec.vocabulary_.items()
        }
        tables.append((vec.build_analyzer(), table))
        offset += len(vec.vocabulary_)
    return tables, offset


def weighted_terms(
    analyze: Callable[[str], list[str]], table: Mapping[str, tuple[float, T]], text: str
) -> list[tuple[float, T]]:
    """The text's terms found in `table` (term -> (idf, payload)), each with its sublinear,
    L2-normalised tf-idf value as TfidfVectorizer computes it, and its payload."""
    found = []
    for term, count in Counter(analyze(text)).items():
        entry = table.get(term)
        if entry is not None:
            found.append(((1.0 + math.log(count)) * entry[0], entry[1]))
    norm = math.sqrt(sum(v * v for v, _ in found)) or 1.0
    return [(value / norm, payload) for value, payload in found]


def add_scores(acc: list[float], tables: Sequence[Table], text: str) -> None:
    """Add the text's weighted tf-idf features to `acc` (one logit per label), in place."""
    n = len(acc)
    for analyze, table in tables:
        for w, row in weighted_terms(analyze, table, text):
            for i in range(n):
                acc[i] += w * row[i]
