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
    training_items,
)
from bot.understanding.danger_model import DangerModelSettings, train  # noqa: E402

# The commit at which each fresh set was added: the lexicon then is the one of its first run.
FROZEN_AT = {
    "risk_fresh2.yaml": "7486673",
    "risk_fresh3.yaml": "bccee26",
    "risk_fresh4.yaml": "54f2ce4",
    "risk_fresh5.yaml": "7c27931",
}
_FROZEN_SCRIPT = (
    "import json, sys\n"
    "from bot.risk import detect_risk\n"
    "print(json.dumps([detect_risk(t).to_dict() for t in json.load(sys.stdin)]))\n"
)


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


def frozen_lexicon(name: str, texts: list[str]) -> list[risk.RiskResult] | None:
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
    return [risk.RiskResult(**d) for d in json.loads(out.stdout)]


def loso_probabilities(settings: DangerModelSettings) -> dict[str, list[dict[str, float]]]:
    """Per set, the probabilities of a model trained on all other sets."""
    out = {}
    for name in TRAINING_SETS:
        model = train(training_items(exclude=frozenset({name})), settings)
        out[name] = [model.probabilities(i.text) for i in load_set(EVAL_DIR / name)]
    return out


def run(all_probs: dict[str, list[dict[str, float]]], lexicons: dict[str, dict[str, list]]) -> dict:
    """Scores per set for lexicon alone and combined, with the current and frozen lexicons."""
    out: dict[str, dict[str, Score]] = {}
    for name in TRAINING_SETS:
        items = load_set(EVAL_DIR / name)
        probs = all_probs[name]
        row: dict[str, Score] = {}
        for lex_name, per_set in lexicons.items():
            lex = per_set.get(name)
            if lex is None:
                continue
            row[f"{lex_name} lexicon"] = score(items, lex)
            combined = [
                risk.combine(r, i.text, p) for r, i, p in zip(lex, items, probs, strict=True)
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
    current = {
        n: [risk.lexicon_risk(i.text) for i in load_set(EVAL_DIR / n)] for n in TRAINING_SETS
    }
    frozen = {}
    for name in FROZEN_AT:
        got = frozen_lexicon(name, [i.text for i in load_set(EVAL_DIR / name)])
        if got is not None:
            frozen[name] = got
    lexicons = {"current": current, "frozen": frozen}
    if args.sweep:
        for c, bal, ng in ((100.0, False, (2, 5)), (300.0, False, (2, 5)), (100.0, False, (2, 6))):
            all_probs = loso_probabilities(DangerModelSettings(c=c, balanced=bal, char_ngrams=ng))
            for t in (0.45, 0.5, 0.55, 0.6):
                risk.MODEL_MIN_KIND = t
                res = run(all_probs, lexicons)
                lines = table(res)
                print(f"C={c} {bal} {ng} t={t}: {lines[-2][15:]}")
        return 0
    start = time.perf_counter()
    res = run(loso_probabilities(DangerModelSettings()), lexicons)
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
    ]
    print("\n".join(lines))
    print(f"({time.perf_counter() - start:.1f} s)")
    if args.report:
        Path(args.report).write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
