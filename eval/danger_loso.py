"""Leave-one-set-out estimate of the danger detector on wording it has not seen.

Usage: python eval/danger_loso.py [--report reports/danger_loso.md] [--sweep]

For each labelled set (bot/understanding/danger_corpus.TRAINING_SETS) the model is trained on all
OTHER sets and the combined detector (lexicon + model, bot/risk.combine) is scored on the left-out
set, with the scoring of eval/run_eval.py. Two lexicons are used:
- "current": today's lexicon. It was corrected on every set, so its share is optimistic;
- "frozen": for fresh sets 2-5, the lexicon exactly as it was when that set was first run (taken
  from git history), i.e. before it was corrected on it. This is the honest estimate of a fresh
  set: neither layer has seen the set.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess  # nosec B404 - runs git and this project's Python on fixed arguments
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bot.risk as risk  # noqa: E402
from bot.understanding.danger_corpus import (  # noqa: E402
    CHECK,
    EVAL_DIR,
    TRAINING_SETS,
    DangerItem,
    load_set,
)
from bot.understanding.danger_model import (  # noqa: E402
    DangerModelSettings,
    train,
    training_data,
)

# The commit at which each fresh set was added: the lexicon then is the one of its first run.
FROZEN_AT = {
    "risk_fresh2.yaml": "7486673",
    "risk_fresh3.yaml": "bccee26",
    "risk_fresh4.yaml": "54f2ce4",
    "risk_fresh5.yaml": "7c27931",
}
# The old lexicon's result, and the text as the model reads it with that lexicon (the same
# steps as bot.risk.model_input: fold, respell, blank the checks and idioms).
_FROZEN_SCRIPT = """
import json, sys, unicodedata
from bot.risk import _lexicon, _prepare, detect_risk
def blank(text):
    lex = _lexicon()
    folded, _ = _prepare(unicodedata.normalize("NFC", text), lex.spelling)
    for rx in (*lex.checks, *lex.idioms):
        for s, e in rx.spans(folded):
            folded = folded[:s] + " " * (e - s) + folded[e:]
    return " ".join(folded.split())
print(json.dumps([[detect_risk(t).to_dict(), blank(t)] for t in json.load(sys.stdin)]))
"""


@dataclass
class Score:
    caught: int = 0
    n_risk: int = 0
    false: int = 0
    n_calm: int = 0

    def add(self, other: Score) -> None:
        self.caught += other.caught
        self.n_risk += other.n_risk
        self.false += other.false
        self.n_calm += other.n_calm

    def row(self) -> str:
        r = self.caught / self.n_risk if self.n_risk else 1.0
        f = self.false / self.n_calm if self.n_calm else 0.0
        return f"{self.caught}/{self.n_risk} = {r:.1%} | {self.false}/{self.n_calm} = {f:.1%}"


def score(items: tuple[DangerItem, ...], results: list[risk.RiskResult]) -> Score:
    """The scoring of eval/run_eval.py: all kinds caught; a check needs the check and no flag;
    a calm message with a flag or a check is a false alarm."""
    s = Score()
    for item, res in zip(items, results, strict=True):
        if not item.labels:
            s.n_calm += 1
            s.false += res.is_risk or res.needs_check
        elif CHECK in item.labels:
            s.n_risk += 1
            s.caught += res.needs_check
        else:
            s.n_risk += 1
            s.caught += all(k in res.kinds for k in item.labels)
    return s


Lexicon = tuple[list[risk.RiskResult], list[str]]  # results, and the texts the model reads


def frozen_lexicon(name: str, texts: list[str]) -> Lexicon | None:
    """Run the lexicon of the set's first run (git history) on the texts, or None without git."""
    commit = FROZEN_AT.get(name)
    if commit is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            archive = subprocess.run(  # nosec B603 B607 - fixed git command in this repository
                ["git", "archive", commit, "bot"], cwd=ROOT, check=True, capture_output=True
            )
            subprocess.run(  # nosec B603 B607 - unpacks the archive just made
                ["tar", "-x", "-C", tmp], input=archive.stdout, check=True
            )
            out = subprocess.run(  # nosec B603 - this interpreter on the old lexicon code
                [sys.executable, "-c", _FROZEN_SCRIPT],
                cwd=tmp,
                input=json.dumps(texts),
                capture_output=True,
                text=True,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError):
            return None
    rows = json.loads(out.stdout)
    return [risk.RiskResult(**d) for d, _ in rows], [t for _, t in rows]


def current_lexicon(name: str) -> Lexicon:
    texts = [i.text for i in load_set(EVAL_DIR / name)]
    return [risk.lexicon_risk(t) for t in texts], [risk.model_input(t) for t in texts]


Probs = dict[str, dict[str, list[dict[str, float]]]]  # lexicon -> set -> per message
Lexicons = dict[str, dict[str, Lexicon]]  # lexicon -> set -> results and model texts


def loso_probabilities(
    settings: DangerModelSettings, lexicons: Lexicons, blank: bool = True
) -> Probs:
    """Per lexicon and set, the probabilities of a model trained on all other sets. The model
    reads each message as that lexicon prepares it (`blank`), or as written."""
    out: Probs = {lex_name: {} for lex_name in lexicons}
    # Every training reads nearly the same messages: the lexicon reads each once (a cache that
    # lives only for this call).
    prepare = functools.lru_cache(maxsize=None)(risk.model_input)
    flagged = functools.lru_cache(maxsize=None)(risk._flagged)
    for name in TRAINING_SETS:
        model = train(
            training_data(flagged, exclude=frozenset({name})),
            settings,
            prepare=prepare if blank else None,
        )
        raw = [i.text for i in load_set(EVAL_DIR / name)]
        for lex_name, per_set in lexicons.items():
            if name in per_set:
                texts = per_set[name][1] if blank else raw
                out[lex_name][name] = [model.scores(t) for t in texts]
    return out


def errors(all_probs: Probs, lexicons: Lexicons) -> list[str]:
    """Every miss and false alarm of the combined detector, frozen lexicon where there is one."""
    lines = []
    for name in TRAINING_SETS:
        items = load_set(EVAL_DIR / name)
        lex_name = "frozen" if name in lexicons["frozen"] else "current"
        lex, texts = lexicons[lex_name][name]
        for item, r, p, t in zip(items, lex, all_probs[lex_name][name], texts, strict=True):
            got = risk.combine(r, item.text, p, t)
            top = max(p, key=p.get)
            where = f"{name}, {lex_name} lexicon"
            if not item.labels and (got.is_risk or got.needs_check):
                lines.append(f"- false alarm ({where}): {item.text} -> {got.kinds} {got.check}")
            elif CHECK in item.labels and not got.needs_check:
                lines.append(f"- missed check ({where}): {item.text} -> {got.kinds}")
            elif item.labels and CHECK not in item.labels and not item.labels <= set(got.kinds):
                lines.append(
                    f"- missed {'/'.join(sorted(item.labels))} ({where}): {item.text} "
                    f"-> {got.kinds}, model {top} {p[top]:.2f}"
                )
    return lines


def run(all_probs: Probs, lexicons: Lexicons) -> dict:
    """Scores per set for lexicon alone and combined, with the current and frozen lexicons."""
    out: dict[str, dict[str, Score]] = {}
    for name in TRAINING_SETS:
        items = load_set(EVAL_DIR / name)
        row: dict[str, Score] = {}
        for lex_name, per_set in lexicons.items():
            if name not in per_set:
                continue
            lex, texts = per_set[name]
            probs = all_probs[lex_name][name]
            row[f"{lex_name} lexicon"] = score(items, lex)
            combined = [
                risk.combine(r, i.text, p, t)
                for r, i, p, t in zip(lex, items, probs, texts, strict=True)
            ]
            row[f"{lex_name} lexicon + model"] = score(items, combined)
        out[name] = row
    return out


def table(results: dict[str, dict[str, Score]]) -> list[str]:
    columns = [
        "current lexicon",
        "current lexicon + model",
        "frozen lexicon",
        "frozen lexicon + model",
    ]
    lines = [
        "| left-out set | " + " | ".join(f"{c}: recall | false alarms" for c in columns) + " |",
        "|---|" + "---:|---:|" * len(columns),
    ]
    totals = {c: Score() for c in columns}
    frozen_totals = {c: Score() for c in columns}
    for name, row in results.items():
        cells = []
        for c in columns:
            s = row.get(c)
            cells.append(s.row() if s else "- | -")
            if s:
                totals[c].add(s)
                if "frozen lexicon" in row:
                    frozen_totals[c].add(s)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| **all sets** | "
        + " | ".join(totals[c].row() if totals[c].n_risk else "- | -" for c in columns)
        + " |"
    )
    lines.append("| **fresh 2-5** | " + " | ".join(frozen_totals[c].row() for c in columns) + " |")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", default=None)
    parser.add_argument("--sweep", action="store_true", help="also try other thresholds and C")
    args = parser.parse_args(argv)
    current = {n: current_lexicon(n) for n in TRAINING_SETS}
    frozen = {}
    for name in FROZEN_AT:
        got = frozen_lexicon(name, [i.text for i in load_set(EVAL_DIR / name)])
        if got is not None:
            frozen[name] = got
    lexicons = {"current": current, "frozen": frozen}
    if args.sweep:
        for c, bal, blank in ((100.0, False, True), (300.0, False, True), (100.0, False, False)):
            settings = DangerModelSettings(c=c, balanced=bal)
            all_probs = loso_probabilities(settings, lexicons, blank)
            for t in (0.4, 0.45, 0.5, 0.55, 0.6):
                risk.MODEL_MIN_KIND = t
                res = run(all_probs, lexicons)
                lines = table(res)
                print(f"C={c} balanced={bal} blank={blank} t={t}: {lines[-2][15:]}")
        return 0
    start = time.perf_counter()
    all_probs = loso_probabilities(DangerModelSettings(), lexicons)
    res = run(all_probs, lexicons)
    lines = [
        "# Danger detector: leave-one-set-out",
        "",
        "Each set is scored by a model trained on all other sets (`eval/danger_loso.py`). ",
        '"frozen lexicon" is the lexicon as it was at the first run of that fresh set (git',
        "history), so neither layer has seen the set: the honest estimate of a fresh set.",
        '"current lexicon" was corrected on every set (optimistic).',
        f"Threshold: a model kind counts from p >= {risk.MODEL_MIN_KIND}.",
        "",
        *table(res),
        "",
        "A message with no danger kind gets the gentle check from the model's `check` label at",
        f"p >= {risk.MODEL_MIN_CHECK} (when the model read at least three words of it).",
        "",
        "Chosen by measurement. First (fresh sets 2-5, `--sweep`): the model reads the text with",
        "the lexicon's idioms blanked (fewer false alarms, same recall), and the intake answers of",
        "the area corpus (train and dev parts, those the lexicon does not flag) are calm examples",
        "(fresh false alarms 5.2 % -> 4.5 % at the same recall). Then, with the four danger_train",
        "sets (2026-12-05, 1,680 messages by four independent writers), left out one at a time:",
        "class-balanced weights at threshold 0.55 caught more (84.5 % against 77.0 % of their",
        "danger messages) but raised false alarms on the older sets left out from 3.7 % to 8.8 %",
        "and on the ordinary intake answers of the area corpus's frozen test part from 8 to 15 of",
        '165 ("Vi har ikke noget at tilføje" became neglect). With ~10 free-text answers per',
        "intake that would flag most cases urgent, and the flag would stop meaning anything to the",
        "worker; so the weights stay unbalanced at 0.5. The check label at 0.3 caught 17 of 52",
        "left-out check messages (3 without it) at the same false alarms. Last, the examples of",
        "inform, out_of_scope and insult in data/nlu.yml became calm examples (see",
        "danger_corpus.CALM_INTENTS): left-out danger 77.0 -> 78.5 %, check 17 -> 18 of 52.",
        "",
        "## Misses and false alarms of lexicon + model (model never trained on the set)",
        "",
        *errors(all_probs, lexicons),
        "",
    ]
    print("\n".join(lines))
    print(f"({time.perf_counter() - start:.1f} s)")
    if args.report:
        Path(args.report).write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
