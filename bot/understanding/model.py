"""A trained multi-label area classifier: word and character n-grams, one-vs-rest logistic.

Words carry their negation ("ikke drillet" -> "ikke_drillet") so the model can learn that a
negated bully is no bully; character n-grams on the ASCII fold (negated words left out) carry
typos, missing æøå and inflections ("mobet", "drilet", "maven"); the lexicon's own hits are extra
features, so the model learns how far to trust each. Training is deterministic (liblinear, fixed
seed) and takes a few seconds on the corpus (each answer is learnt as written and with typos),
so the action server trains it at start from eval/areas/ and ships no pickled model.
"""

from __future__ import annotations

import math
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.understanding.corpus import Item
from bot.understanding.lexicon import NEGATED, OTHERS, negation_marked, scan
from bot.understanding.sparse_linear import Table, add_scores, compile_tables
from bot.understanding.vocabulary import AREA_ORDER, Vocabulary, load_vocabulary


@lru_cache(maxsize=64)
def _marked(text: str, vocab: Vocabulary) -> tuple[str, ...]:
    """negation_marked once per answer: both vectorizers read it, one after the other."""
    return tuple(negation_marked(text, vocab))


def _word_features(text: str) -> list[str]:
    """Words and word pairs; a negator only in its pair ("ingen ikke_venner" is a lack,
    "ingen ikke_driller" no bully): alone, "ingen" carried the lack's weight to both."""
    words = _marked(text, load_vocabulary())
    negators = load_vocabulary().negators
    return [w for w in words if w not in negators] + [
        f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
    ]


def _char_input(text: str) -> str:
    """The folded text without negators and the words a negation covers: "ingen driller ham"
    must not read as bullying through the letters of "driller" (the word features keep
    "ingen ikke_driller"), nor "mor er ked af det" as the child's sadness through "ked"."""
    vocab = load_vocabulary()
    return " ".join(
        w
        for w in _marked(text, vocab)
        if not w.startswith((NEGATED, OTHERS)) and w not in vocab.negators
    )


# Not bot.normalize.fold: that lowercases and writes ø as "oe" for matching; a phone without
# æøå keeps the case and often has "o" for ø.
_FOLD_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"})
_DOUBLE = re.compile(r"([a-zæøå])\1")


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the kind people make in a hurry: a doubled letter typed once ("mobet"), a
    letter left out, two letters swapped."""
    double = _DOUBLE.search(word)
    roll = rng.random()
    if double and roll < 0.5:
        return word[: double.start()] + word[double.start() + 1 :]
    i = rng.randrange(1, len(word) - 1)
    if roll < 0.75:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def with_typos(text: str) -> str:
    """The answer as it might have been typed on a phone: æøå left out half the time, a slip in
    about one word of four. Deterministic per text, so training stays reproducible."""
    rng = random.Random(zlib.crc32(text.encode("utf-8")))  # nosec B311 - typos, not secrets
    if rng.random() < 0.5:
        text = text.translate(_FOLD_LETTERS)
    return " ".join(
        _typo(w, rng) if len(w) >= 4 and w.isalpha() and rng.random() < 0.25 else w
        for w in text.split()
    )


@dataclass(frozen=True)
class ModelSettings:
    c: float = 32.0  # chosen by cross-validation on the training parts (eval/areas_cv.py)
    # Each training answer is learnt twice, once as written and once with typos (with_typos):
    # the writers' own typos are too few for the model to read "mobet" as "mobbet".
    typo_copies: bool = True
    char_ngrams: tuple[int, int] = (2, 5)
    lexicon_features: bool = True
    lexicon_weight: float = 1.0
    threshold: float = 0.5


@dataclass
class AreaModel:
    settings: ModelSettings
    words: TfidfVectorizer
    chars: TfidfVectorizer
    vocab: Vocabulary
    classifiers: dict[str, LogisticRegression] = field(default_factory=dict)
    # All five one-vs-rest models as one weight matrix (features x areas).
    weights: np.ndarray | None = None
    intercepts: np.ndarray | None = None
    # Per-answer scoring in plain Python: scikit-learn's transform costs ~2-5 ms a call in
    # validation and sparse-matrix set-up; a dict walk over the answer's n-grams costs ~0.3 ms.
    _tables: list[Table] = field(default_factory=list)
    _lexicon_rows: list[tuple[float, ...]] = field(default_factory=list)

    def _lexicon_matrix(self, texts: Sequence[str]) -> csr_matrix:
        cols = {a: i for i, a in enumerate(AREA_ORDER)}
        rows, colidx = [], []
        for r, text in enumerate(texts):
            for area in {h.area for h in scan(text, self.vocab)}:
                rows.append(r)
                colidx.append(cols[area])
        data = np.full(len(rows), self.settings.lexicon_weight)
        return csr_matrix((data, (rows, colidx)), shape=(len(texts), len(AREA_ORDER)))

    def features(self, texts: Sequence[str]) -> csr_matrix:
        return self._beside_lexicon(
            texts, [self.words.transform(texts), self.chars.transform(texts)]
        )

    def _beside_lexicon(self, texts: Sequence[str], ngrams: list[csr_matrix]) -> csr_matrix:
        """The n-gram blocks and, when the settings ask for them, the lexicon's hits."""
        if self.settings.lexicon_features:
            ngrams = [*ngrams, self._lexicon_matrix(texts)]
        return hstack(ngrams, format="csr")

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Probability per area for each text (same numbers as the scikit-learn path)."""
        return [self._probabilities_one(t) for t in texts]

    def sklearn_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if self.weights is None or self.intercepts is None:
            raise RuntimeError("the area model is not trained")
        scores = self.features(texts) @ self.weights + self.intercepts
        probs = 1.0 / (1.0 + np.exp(-np.asarray(scores)))
        return [dict(zip(AREA_ORDER, map(float, row), strict=True)) for row in probs]

    def _compile(self) -> None:
        if self.weights is None:
            raise RuntimeError("the area model is not trained")
        tables, offset = compile_tables((self.words, self.chars), self.weights)
        self._tables.extend(tables)
        if self.settings.lexicon_features:
            self._lexicon_rows = [tuple(map(float, self.weights[offset + i])) for i in range(5)]

    def _probabilities_one(self, text: str) -> dict[str, float]:
        if self.intercepts is None:
            raise RuntimeError("the area model is not trained")
        acc = [float(b) for b in self.intercepts]
        add_scores(acc, self._tables, text)
        if self.settings.lexicon_features:
            for area in {h.area for h in scan(text, self.vocab)}:
                row = self._lexicon_rows[AREA_ORDER.index(area)]
                for i in range(5):
                    acc[i] += self.settings.lexicon_weight * row[i]
        return {a: 1.0 / (1.0 + math.exp(-x)) for a, x in zip(AREA_ORDER, acc, strict=True)}

    def predict(self, text: str) -> list[str]:
        probs = self.probabilities([text])[0]
        return [a for a in AREA_ORDER if probs.get(a, 0.0) >= self.settings.threshold]


def train(items: Iterable[Item], settings: ModelSettings | None = None) -> AreaModel:
    settings = settings or ModelSettings()
    items = list(items)
    if settings.typo_copies:
        items += [replace(i, text=with_typos(i.text)) for i in items]
    texts = [i.text for i in items]
    model = AreaModel(
        settings,
        TfidfVectorizer(analyzer=_word_features, sublinear_tf=True, min_df=1),
        TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=_char_input,
            ngram_range=settings.char_ngrams,
            sublinear_tf=True,
            min_df=2,
        ),
        load_vocabulary(),
    )
    # fit_transform reads every text once per vectorizer (fit, then features(), read it twice).
    x = model._beside_lexicon(
        texts, [model.words.fit_transform(texts), model.chars.fit_transform(texts)]
    )
    for area in AREA_ORDER:
        y = np.array([area in i.areas for i in items], dtype=int)
        clf = LogisticRegression(
            C=settings.c, solver="liblinear", class_weight="balanced", random_state=0
        )
        clf.fit(x, y)
        model.classifiers[area] = clf
    model.weights = np.column_stack([model.classifiers[a].coef_[0] for a in AREA_ORDER])
    model.intercepts = np.array([model.classifiers[a].intercept_[0] for a in AREA_ORDER])
    model._compile()
    return model
