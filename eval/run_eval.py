"""Evaluate bot/risk.py on the labelled sets.

Usage: python eval/run_eval.py [-v]
Prints recall per kind, overall recall and false-alarm rate for the main set
(eval/risk_eval.yaml) and, separately, for the held-out set (eval/risk_heldout.yaml).
Exits non-zero when the main set has recall < 100 % or false alarms > 5 %.
A risk message counts as caught only if its labelled kind is among the detected kinds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.risk import KINDS, detect_risk  # noqa: E402

MAIN = ROOT / "eval" / "risk_eval.yaml"
HELDOUT = ROOT / "eval" / "risk_heldout.yaml"
MAX_FALSE_ALARM = 0.05


@dataclass
class Report:
    name: str
    per_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [caught, total]
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    n_risk: int = 0
    n_calm: int = 0

    @property
    def recall(self) -> float:
        caught = sum(c for c, _ in self.per_kind.values())
        total = sum(t for _, t in self.per_kind.values())
        return caught / total if total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.n_calm if self.n_calm else 0.0


def evaluate(path: Path) -> Report:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rep = Report(path.name)
    for item in data.get("risk") or []:
        rep.n_risk += 1
        result = detect_risk(item["text"])
        for kind in item["kinds"]:
            stat = rep.per_kind.setdefault(kind, [0, 0])
            stat[1] += 1
            if result.is_risk and kind in result.kinds:
                stat[0] += 1
            else:
                rep.missed.append(f"[{kind}] {item['text']}  -> {result.kinds}")
    for item in data.get("calm") or []:
        rep.n_calm += 1
        result = detect_risk(item["text"])
        if result.is_risk:
            rep.false_alarms.append(f"{item['text']}  -> {result.kinds} {result.matches}")
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
    if verbose or rep.missed:
        for line in rep.missed:
            print("  MISSED", line)
    if verbose:
        for line in rep.false_alarms:
            print("  FALSE ", line)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    main_rep = evaluate(MAIN)
    show(main_rep, verbose)
    if HELDOUT.exists():
        show(evaluate(HELDOUT), verbose)
    ok = main_rep.recall == 1.0 and main_rep.false_alarm_rate <= MAX_FALSE_ALARM
    print("OK" if ok else "FAIL (main set: need recall 100 % and false alarms <= 5 %)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
