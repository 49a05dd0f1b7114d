"""Evaluate bot/risk.py on the labelled sets.

Usage: python eval/run_eval.py [-v] [FILE ...]
Evaluates every eval/risk_*.yaml (or the files given) separately and prints recall per kind,
overall recall, the false-alarm rate and the mean detection time per message. With -v, every
missed risk message and every false alarm is listed.
Exits non-zero when any set has recall < 100 % or false alarms > 5 %.
A risk message counts as caught only if ALL its labelled kinds are among the detected kinds
(recall per kind counts each labelled kind separately).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.risk import KINDS, detect_risk  # noqa: E402

EVAL_DIR = ROOT / "eval"
MAIN = EVAL_DIR / "risk_eval.yaml"
HELDOUT = EVAL_DIR / "risk_heldout.yaml"
FRESH = EVAL_DIR / "risk_fresh.yaml"
MAX_FALSE_ALARM = 0.05


def eval_files() -> list[Path]:
    """All labelled sets: risk_eval.yaml first, then the others alphabetically."""
    files = sorted(EVAL_DIR.glob("risk_*.yaml"))
    files.sort(key=lambda p: p.name != "risk_eval.yaml")
    return files


@dataclass
class Report:
    name: str
    per_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [caught, total]
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    n_risk: int = 0
    n_calm: int = 0
    times: list[float] = field(default_factory=list)  # seconds per message

    @property
    def recall(self) -> float:
        caught = sum(c for c, _ in self.per_kind.values())
        total = sum(t for _, t in self.per_kind.values())
        return caught / total if total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.n_calm if self.n_calm else 0.0

    @property
    def ok(self) -> bool:
        return self.recall == 1.0 and self.false_alarm_rate <= MAX_FALSE_ALARM

    @property
    def mean_ms(self) -> float:
        return 1000 * sum(self.times) / len(self.times) if self.times else 0.0

    def quantile_ms(self, q: float) -> float:
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(rep: Report, text: str):
    start = time.perf_counter()
    result = detect_risk(text)
    rep.times.append(time.perf_counter() - start)
    return result


def evaluate(path: Path) -> Report:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rep = Report(path.name)
    for item in data.get("risk") or []:
        rep.n_risk += 1
        result = _timed(rep, item["text"])
        for kind in item["kinds"]:
            stat = rep.per_kind.setdefault(kind, [0, 0])
            stat[1] += 1
            if result.is_risk and kind in result.kinds:
                stat[0] += 1
            else:
                rep.missed.append(f"[{kind}] {item['text']}  -> {list(result.kinds)}")
    for item in data.get("calm") or []:
        rep.n_calm += 1
        result = _timed(rep, item["text"])
        if result.is_risk:
            rep.false_alarms.append(f"{item['text']}  -> {list(result.kinds)} {result.matches}")
    return rep


def show(rep: Report, verbose: bool) -> None:
    print(f"== {rep.name}: {rep.n_risk} risk, {rep.n_calm} calm")
    for kind in KINDS:
        if kind in rep.per_kind:
            caught, total = rep.per_kind[kind]
            print(f"  recall {kind:<13} {caught:>3}/{total:<3} {caught / total:6.1%}")
    print(f"  recall overall       {rep.recall:6.1%}")
    print(
        f"  false alarms         {len(rep.false_alarms):>3}/{rep.n_calm:<3} "
        f"{rep.false_alarm_rate:6.1%}"
    )
    print(
        f"  time per message     mean {rep.mean_ms:.3f} ms, median {rep.quantile_ms(0.5):.3f} ms, "
        f"p95 {rep.quantile_ms(0.95):.3f} ms"
    )
    if verbose or rep.missed:
        for line in rep.missed:
            print("  MISSED", line)
    if verbose:
        for line in rep.false_alarms:
            print("  FALSE ", line)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if a != "-v"] or eval_files()
    detect_risk("opvarmning")  # load and compile the lexicon outside the timing
    reports = [evaluate(p) for p in paths]
    for rep in reports:
        show(rep, verbose)
    times = [t for r in reports for t in r.times]
    mean_ms = 1000 * sum(times) / len(times) if times else 0.0
    print(f"== all: {len(times)} messages, mean {mean_ms:.3f} ms/message")
    bad = [r.name for r in reports if not r.ok]
    need = "need recall 100 % and false alarms <= 5 %"
    print(f"FAIL ({', '.join(bad)}: {need})" if bad else "OK")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
