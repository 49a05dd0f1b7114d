"""The trained second layer of the danger detector: word and character n-grams, one-vs-rest
logistic regression per danger kind.

Why: the lexicon (bot/risk_lexicon.yaml) is precise but caught only 78-86 % of danger messages
on sets written after it (reports/danger_fresh_runs.md). Character n-grams on the folded vowel
skeleton carry inflections, typos and missing æøå ("skaere", "slaar", "gennembanket"); word
n-grams carry who does what ("far slår", "ikke spist"). bot/risk.py adds the kinds this model is
sure of to the lexicon's, so the lexicon's precision and the model's recall add up.

The model reads the message as the lexicon prepares it (bot.risk.model_input: chat spellings
made canonical, idioms and check phrases blanked), so "slår mig i skak" is no danger word here
either. Training is deterministic (liblinear, fixed seed) from the labelled sets
(danger_corpus.TRAINING_SETS) and takes 5-14 s of CPU at start-up, in every process that imports
bot.risk (the Rasa engine's nlu_ext, each worker; the action server; the API). So the trained
tables are kept as JSON (models/danger_model.json, never a pickle) under a digest of everything
training reads (the sets, data/nlu.yml, the area corpus, bot/'s code and word lists): the stack
builds it once before it starts its processes, and each process loads it (~0.3 s) instead of
training; a stale or missing file is retrained and rewritten. The engine's scikit-learn 1.1 and
the app's 1.9 train the same probabilities (tests/unit/test_danger_model.py). Scoring walks the
message's n-grams in plain Python (~0.1 ms), not scikit-learn's transform (ms per call).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.normalize import fold
from bot.understanding.danger_corpus import (
    EVAL_DIR,
    LABELS,
    NLU_DATA,
    TRAINING_SETS,
    DangerItem,
    calm_chat_examples,
    intake_answers,
    training_items,
    unsafe_chat_examples,
)
from bot.understanding.sparse_linear import Table, add_scores, compile_tables

log = logging.getLogger(__name__)
_WORD = re.compile(r"[a-z0-9]+")


def skeleton(text: str) -> str:
    """Folded text with the Danish vowel spellings merged ("skære", "skaere", "skare" -> "skere")
    so a message typed without æøå reads like one typed with them."""
    return fold(text).replace("aa", "a").replace("ae", "e").replace("oe", "o")


def word_features(text: str) -> list[str]:
    words = _WORD.findall(skeleton(text))
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class DangerModelSettings:
    c: float = 100.0
    char_ngrams: tuple[int, int] = (2, 5)
    balanced: bool = False


@dataclass
class DangerModel:
    settings: DangerModelSettings
    labels: tuple[str, ...]
    intercepts: tuple[float, ...]
    # What the model reads of a message (bot.risk.model_input: idioms blanked), or the text.
    prepare: Callable[[str], str] | None = None
    # Per feature space: its analyzer and term -> (idf, weight per label).
    tables: list[Table] = field(default_factory=list)

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability per danger kind for one message."""
        return self.scores(self.prepare(text) if self.prepare else text)

    def scores(self, prepared: str) -> dict[str, float]:
        """Probabilities for a text already prepared as the model reads it."""
        acc = list(self.intercepts)
        add_scores(acc, self.tables, prepared)
        return {
            label: 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))
            for label, x in zip(self.labels, acc, strict=True)
        }


def train(
    items: Iterable[DangerItem],
    settings: DangerModelSettings | None = None,
    prepare: Callable[[str], str] | None = None,
) -> DangerModel:
    # scikit-learn is imported here: both environments have it (the engine through Rasa), and
    # a process that never detects danger does not pay for the import.
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    settings = settings or DangerModelSettings()
    items = list(items)
    texts: Sequence[str] = [prepare(i.text) if prepare else i.text for i in items]
    vectorizers = _vectorizers(settings)
    x = hstack([v.fit_transform(texts) for v in vectorizers], format="csr")
    columns = []
    intercepts = []
    for label in LABELS:
        y = np.array([label in i.labels for i in items], dtype=int)
        if y.sum() == 0:  # a label without examples (tiny training subsets) never fires
            columns.append(np.zeros(x.shape[1]))
            intercepts.append(-60.0)
            continue
        clf = LogisticRegression(
            C=settings.c,
            solver="liblinear",
            dual=True,
            class_weight="balanced" if settings.balanced else None,
            random_state=0,
            # liblinear stops at max_iter without a warning in some versions; 1000 left one
            # label unconverged under scikit-learn 1.9 (the app) but not 1.1 (the engine).
            max_iter=10000,
        )
        clf.fit(x, y)
        columns.append(clf.coef_[0])
        intercepts.append(float(clf.intercept_[0]))
    weights = np.column_stack(columns)
    model = DangerModel(settings, LABELS, tuple(intercepts), prepare)
    model.tables, _ = compile_tables(vectorizers, weights)
    return model


def _vectorizers(settings: DangerModelSettings) -> tuple[Any, ...]:
    """The two feature spaces (unfitted): word 1-2-grams and character n-grams of the skeleton."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(analyzer=word_features, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=skeleton,
        ngram_range=settings.char_ngrams,
        sublinear_tf=True,
        min_df=2,
    )
    return words, chars


# --- The saved model -------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
MODEL_FILE_ENV = "SKOLEBRO_DANGER_MODEL_FILE"  # a path, or "off" to always train in-process
# "off": no training in a background thread at import. `rasa train` sets it (scripts/stack.py):
# the thread held the GIL against DIET's training loop on 2 cores (DIET 87 s beside it, ~55 s
# alone); the stack trains the model right after, in the app environment.
WARM_UP_ENV = "SKOLEBRO_DANGER_WARM_UP"
# The NLU file whose examples the model learns (default data/nlu.yml). The intents'
# cross-validation (scripts/nlu_eval.py) points it at each fold's training part, so the
# override's model has not learnt the held-out fold.
CHAT_DATA_ENV = "SKOLEBRO_DANGER_CHAT_DATA"
DEFAULT_MODEL_FILE = ROOT / "models" / "danger_model.json"
_FORMAT = 1


def chat_data() -> Path:
    return Path(os.environ.get(CHAT_DATA_ENV) or NLU_DATA)


def model_file() -> Path | None:
    value = os.environ.get(MODEL_FILE_ENV, "")
    if value == "off":
        return None
    return Path(value) if value else DEFAULT_MODEL_FILE


def training_digest(
    settings: DangerModelSettings,
    prepare: Callable[[str], str] | None,
    flagged: Callable[[str], bool] | None,
) -> str:
    """A digest of everything the trained model depends on: the settings, which helpers prepare
    and filter the texts, and the bytes of every file training reads or runs (bot/'s code and
    YAML word lists stand in for `prepare` and `flagged`)."""
    from bot.understanding.corpus import CORPUS_DIR, TRAIN_PARTS

    digest = hashlib.sha256()
    names = [getattr(f, "__qualname__", "") if f else "" for f in (prepare, flagged)]
    digest.update(json.dumps([_FORMAT, asdict(settings), names]).encode())
    files = [EVAL_DIR / name for name in TRAINING_SETS]
    files += [CORPUS_DIR / f"{part}.yaml" for part in TRAIN_PARTS] + [chat_data()]
    bot_dir = ROOT / "bot"
    files += sorted([*bot_dir.rglob("*.py"), *bot_dir.rglob("*.yaml")])
    for path in files:
        digest.update(os.path.relpath(path, ROOT).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def save(model: DangerModel, path: Path, key: str) -> None:
    """Write the model as JSON, atomically: processes starting at once may all write it."""
    data = {
        "format": _FORMAT,
        "key": key,
        "labels": list(model.labels),
        "intercepts": list(model.intercepts),
        "tables": [{term: [idf, *row] for term, (idf, row) in t.items()} for _, t in model.tables],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def load(
    path: Path,
    key: str,
    settings: DangerModelSettings,
    prepare: Callable[[str], str] | None = None,
) -> DangerModel | None:
    """The saved model if it was trained from exactly these inputs, else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    vectorizers = _vectorizers(settings)
    if (
        data.get("format") != _FORMAT
        or data.get("key") != key
        or len(data.get("tables") or ()) != len(vectorizers)
    ):
        return None  # trained again: a file that does not fit must not switch the model off
    model = DangerModel(settings, tuple(data["labels"]), tuple(data["intercepts"]), prepare)
    for vec, raw in zip(vectorizers, data["tables"], strict=True):
        table = {term: (v[0], tuple(v[1:])) for term, v in raw.items()}
        model.tables.append((vec.build_analyzer(), table))
    return model


_model: DangerModel | None = None
_failed = False
_lock = threading.Lock()


def training_data(
    flagged: Callable[[str], bool] | None = None,
    exclude: frozenset[str] = frozenset(),
    chat: Path = NLU_DATA,
) -> list[DangerItem]:
    """The labelled sets (without `exclude`), the intake answers and the chat's examples (`chat`)
    the lexicon does not flag (`flagged`) as calm examples (leave-one-set-out measured it: false
    alarms on fresh sets 5.2 % -> 4.5 % at the same recall), and the chat's not_safe examples as
    acute danger."""
    items = list(training_items(exclude=exclude))
    if flagged is not None:
        items += [i for i in intake_answers() if not flagged(i.text)]
        items += [i for i in calm_chat_examples(chat) if not flagged(i.text)]
        items += [i for i in unsafe_chat_examples(chat) if not flagged(i.text)]
    return items


def trained_danger_model(
    prepare: Callable[[str], str] | None = None, flagged: Callable[[str], bool] | None = None
) -> DangerModel:
    """The saved model, or trained once per process (deterministic) and saved. A lock makes a
    caller wait for a loading or training already under way."""
    global _model
    with _lock:
        if _model is None:
            start = time.perf_counter()
            settings = DangerModelSettings()
            path = model_file()
            key = training_digest(settings, prepare, flagged) if path else ""
            if path and (model := load(path, key, settings, prepare)) is not None:
                _model = model
                log.info("danger model loaded in %.2f s", time.perf_counter() - start)
                return _model
            items = training_data(flagged, chat=chat_data())
            _model = train(items, settings, prepare=prepare)
            log.info("danger model trained in %.2f s", time.perf_counter() - start)
            if path:
                try:
                    save(_model, path, key)
                except OSError:
                    log.warning("danger model not saved to %s", path, exc_info=True)
        return _model


def available_model(
    prepare: Callable[[str], str] | None = None, flagged: Callable[[str], bool] | None = None
) -> DangerModel | None:
    """The trained model, or None when it cannot be trained (the lexicon then answers alone;
    logged once)."""
    global _failed
    if _failed:
        return None
    try:
        return trained_danger_model(prepare, flagged)
    # A training file that does not parse (data/nlu.yml half-edited) must not break detection.
    except (OSError, ValueError, ImportError, yaml.YAMLError):
        _failed = True
        log.exception("danger model unavailable; the lexicon answers alone")
        return None


def warm_up_in_background(
    prepare: Callable[[str], str] | None = None, flagged: Callable[[str], bool] | None = None
) -> threading.Thread | None:
    """Train off the start-up path: every process that imports bot.risk (the Rasa engine's
    nlu_ext, the action server, the API) calls this, so its start does not wait; a first
    message that comes before the training is done waits for it (well under a second).
    Returns None when WARM_UP_ENV is "off": the first detection loads or trains the model."""
    if os.environ.get(WARM_UP_ENV, "") == "off":
        return None
    thread = threading.Thread(
        target=available_model, args=(prepare, flagged), name="danger-model-warm-up", daemon=True
    )
    thread.start()
    return thread


if __name__ == "__main__":
    # `python -m bot.understanding.danger_model`: load or train and save the model as the stack's
    # processes will (scripts/stack.py runs this before starting them).
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from bot import risk

    risk.danger_model_ready()
