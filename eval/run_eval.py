"""Evaluate bot/risk.py on the labelled sets.

Usage: python eval/run_eval.py [-v] [--report reports/danger.md] [FILE ...]

The detector's model learns from the sets named in bot/understanding/danger_corpus.TRAINING_SETS,
so on those sets these numbers are in-sample (a regression guard; the table marks them). With
--report, the leave-one-set-out estimate (eval/danger_loso.py) is also written next to the report
(danger_loso.md): that is the estimate for a set the detector has never seen.
Evaluates every eval/risk_*.yaml (or the files given) separately and prints recall per category
(or per kind where a set has no categories), overall recall, the false-alarm rate and the time
per message, as tables; writes the same tables as markdown. With -v, every miss and every false
alarm is listed. Exits non-zero when any set has recall < 100 % or false alarms > 5 %.

- A danger message counts as caught only if ALL its labelled kinds are detected.
- A `check: true` message (a wish to die tied to school) counts as caught only if it gets the
  gentle "are you safe?" check and is NOT flagged urgent.
- A calm message is a false alarm if it is flagged urgent OR gets the gentle check.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.risk import KINDS, RiskResult, detect_risk  # noqa: E402
from bot.understanding.danger_corpus import TRAINING_SETS  # noqa: E402

EVAL_DIR = ROOT / "eval"
MAIN = EVAL_DIR / "risk_eval.yaml"
HELDOUT = EVAL_DIR / "risk_heldout.yaml"
FRESH = EVAL_DIR / "risk_fresh.yaml"
CATEGORIES = EVAL_DIR / "risk_categories.yaml"
MAX_FALSE_ALARM = 0.05


def eval_files() -> list[Path]:
    """All labelled sets: risk_eval.yaml first, then the others alphabetically."""
    files = sorted(EVAL_DIR.glob("risk_*.yaml"))
    files.sort(key=lambda p: p.name != "risk_eval.yaml")
    return files


@dataclass
class Report:
    name: str
    per_group: dict[str, list[int]] = field(default_factory=dict)  # group -> [caught, total]
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    calm_checks: int = 0  # calm messages that got the gentle check (counted as false alarms)
    n_risk: int = 0
    n_calm: int = 0
    times: list[float] = field(default_factory=list)  # seconds per message

    @property
    def recall(self) -> float:
        caught = sum(c for c, _ in self.per_group.values())
        total = sum(t for _, t in self.per_group.values())
        return caught / total if total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.n_calm if self.n_calm else 0.0

    @property
    def ok(self) -> bool:
        return self.recall == 1.0 and self.false_alarm_rate <= MAX_FALSE_ALARM

    def quantile_ms(self, q: float) -> float:
        if not self.times:
            return 0.0
        ordered = sorted(self.times)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def mean_ms(self) -> float:
        return 1000 * sum(self.times) / len(self.times) if self.times else 0.0


def _trained(name: str) -> bool:
    """Does the model learn from the set of this file name? TRAINING_SETS names the sets under
    eval/danger_train/ with their folder ("danger_train/parents.yaml")."""
    return any(Path(s).name == name for s in TRAINING_SETS)


def _timed(rep: Report, text: str) -> RiskResult:
    start = time.perf_counter()
    result = detect_risk(text)
    rep.times.append(time.perf_counter() - start)
    return result


def _count(rep: Report, group: str, caught: bool, line: str) -> None:
    stat = rep.per_group.setdefault(group, [0, 0])
    stat[1] += 1
    if caught:
        stat[0] += 1
    else:
        rep.missed.append(line)


def evaluate(path: Path) -> Report:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rep = Report(path.name)
    for item in data.get("risk") or []:
        rep.n_risk += 1
        result = _timed(rep, item["text"])
        got = f"-> {list(result.kinds)} check={result.check}"
        if item.get("check"):
            group = item.get("category", "check")
            _count(rep, group, result.needs_check, f"[{group}] {item['text']}  {got}")
            continue
        if "category" in item:
            caught = all(k in result.kinds for k in item["kinds"])
            _count(rep, item["category"], caught, f"[{item['category']}] {item['text']}  {got}")
            continue
        for kind in item["kinds"]:
            _count(rep, kind, kind in result.kinds, f"[{kind}] {item['text']}  {got}")
    for item in data.get("calm") or []:
        rep.n_calm += 1
        result = _timed(rep, item["text"])
        if result.is_risk or result.needs_check:
            rep.calm_checks += not result.is_risk
            rep.false_alarms.append(
                f"{item['text']}  -> {list(result.kinds)} {result.matches} check={result.check}"
            )
    return rep


def _groups(rep: Report) -> list[str]:
    kinds = [k for k in KINDS if k in rep.per_group]
    return kinds + sorted(g for g in rep.per_group if g not in kinds)


def markdown(reports: list[Report]) -> list[str]:
    lines = [
        "# Danger signals",
        "",
        "Recall must be 100 % and false alarms at most 5 % on every set. A `check` message must",
        'get the gentle "are you safe?" question and no urgent flag; a calm message that gets',
        "either counts as a false alarm. The detector's model learns from the sets marked",
        '"trained on", so their numbers are in-sample; the estimate for a set never seen is the',
        "leave-one-set-out table in danger_loso.md.",
        "",
        "| set | trained on | danger messages | recall | calm messages | false alarms "
        "| of which gentle checks | mean / p95 ms | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.name} | {'yes' if _trained(r.name) else 'no'} | {r.n_risk} | "
            f"{r.recall:.1%} | {r.n_calm} | "
            f"{len(r.false_alarms)} ({r.false_alarm_rate:.1%}) | {r.calm_checks} | "
            f"{r.mean_ms:.3f} / {r.quantile_ms(0.95):.3f} | {'OK' if r.ok else 'FAIL'} |"
        )
    for r in reports:
        lines += ["", f"## {r.name}", "", "| category | caught | recall |", "|---|---:|---:|"]
        for group in _groups(r):
            caught, total = r.per_group[group]
            lines.append(f"| {group} | {caught}/{total} | {caught / total:.1%} |")
        if r.missed:
            lines += ["", "Missed:"] + [f"- {m}" for m in r.missed]
    return lines


def show(rep: Report, verbose: bool) -> None:
    trained = " (trained on: in-sample)" if _trained(rep.name) else " (never trained on)"
    print(f"== {rep.name}: {rep.n_risk} risk, {rep.n_calm} calm{trained}")
    for group in _groups(rep):
        caught, total = rep.per_group[group]
        print(f"  recall {group:<26} {caught:>3}/{total:<3} {caught / total:6.1%}")
    print(f"  recall overall                    {rep.recall:6.1%}")
    print(
        f"  false alarms                      {len(rep.false_alarms):>3}/{rep.n_calm:<3} "
        f"{rep.false_alarm_rate:6.1%} (gentle checks among them: {rep.calm_checks})"
    )
    print(
        f"  time per message     mean {rep.mean_ms:.3f} ms, median {rep.quantile_ms(0.5):.3f} ms, "
        f"p95 {rep.quantile_ms(0.95):.3f} ms"
    )
    for line in rep.missed:
        print("  MISSED", line)
    if verbose:
        for line in rep.false_alarms:
            print("  FALSE ", line)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", action="store_true", dest="verbose")
    parser.add_argument("--report", default=None, help="write the tables as markdown here")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(a) for a in args.files] or eval_files()
    detect_risk("opvarmning")  # load the lexicon and train the model outside the timing
    reports = [evaluate(p) for p in paths]
    for rep in reports:
        show(rep, args.verbose)
    times = [t for r in reports for t in r.times]
    mean_ms = 1000 * sum(times) / len(times) if times else 0.0
    print(f"== all: {len(times)} messages, mean {mean_ms:.3f} ms/message")
    bad = [r.name for r in reports if not r.ok]
    need = "need recall 100 % and false alarms <= 5 %"
    verdict = f"FAIL ({', '.join(bad)}: {need})" if bad else "OK"
    print(verdict)
    if args.report:
        lines = markdown(reports) + ["", f"Danger: {verdict}", ""]
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text("\n".join(lines), encoding="utf-8")
        import danger_loso  # the same directory; imported here, the plain run does not need it

        danger_loso.main(["--report", str(Path(args.report).with_name("danger_loso.md"))])
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
