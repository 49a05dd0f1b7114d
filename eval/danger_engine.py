"""Danger and calm messages as the running chat reads them: the shipped Rasa model's intent.

Usage (engine environment): .venvs/engine/bin/python eval/danger_engine.py [-v]
    [--report reports/danger_engine.md] [--model models/skolebro.tar.gz] FILE [FILE ...]

eval/run_eval.py measures the detector (bot/risk.py) alone. In the chat every message also goes
through DIET, whose own risk intents and `not_safe` are a second layer, and the danger override
(nlu_ext/risk_override.py) that lets the detector overrule DIET. What a person meets is the
intent: a safety intent (`not_safe` or `risk_*`) shows the help in the same reply, wherever in
the intake the message is written (the rules in data/rules.yml fire in every state). So here a
danger message counts as caught when it gets a safety intent, and a calm message that gets one
is a false alarm. The kinds are not compared (the detector's table does that), and a gentle
check counts as caught: its reply is the same help, without an urgent flag.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from run_eval import MAX_FALSE_ALARM  # noqa: E402  # the detector's target, the same directory

from bot.risk import KINDS  # noqa: E402
from nlu_ext.risk_override import INTENT_BY_KIND, RISK_PREFIX  # noqa: E402

# The intents whose rules show the help: each danger kind's, named as the override names them.
SAFETY_INTENTS = frozenset(INTENT_BY_KIND.get(kind, RISK_PREFIX + kind) for kind in KINDS)


@dataclass
class EngineScore:
    name: str
    caught: int = 0
    n_risk: int = 0
    false_alarms: int = 0
    n_calm: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.n_risk if self.n_risk else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.n_calm if self.n_calm else 0.0

    @property
    def ok(self) -> bool:
        return self.recall == 1.0 and self.false_alarm_rate <= MAX_FALSE_ALARM

    def row(self) -> str:
        return (
            f"| {self.name} | {self.caught}/{self.n_risk} = {self.recall:.1%} | "
            f"{self.false_alarms}/{self.n_calm} = {self.false_alarm_rate:.1%} | "
            f"{'OK' if self.ok else 'FAIL'} |"
        )


async def score(path: Path, agent: object) -> EngineScore:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    result = EngineScore(path.name)
    for part in ("risk", "calm"):
        for item in data.get(part) or []:
            parsed = await agent.parse_message(item["text"])  # type: ignore[attr-defined]
            intent = parsed["intent"]["name"]
            alarm = intent in SAFETY_INTENTS
            line = f"{item['text']}  -> {intent}"
            if part == "risk":
                result.n_risk += 1
                result.caught += alarm
                if not alarm:
                    result.missed.append(line)
            else:
                result.n_calm += 1
                result.false_alarms += alarm
                if alarm:
                    result.alarms.append(line)
    return result


def markdown(scores: list[EngineScore]) -> list[str]:
    lines = [
        "# Danger signals in the running chat",
        "",
        "The shipped Rasa model (DIET, the danger override, the detector) parses each message of",
        "the blind sets (`eval/danger_engine.py`). A danger message is caught when it gets a",
        "safety intent (`not_safe` or `risk_*`: the help is shown in the same reply); a calm",
        "message that gets one is a false alarm. The detector alone is in danger_blind.md.",
        "",
        "| set | danger messages with a safety intent | calm messages with one | verdict |",
        "|---|---:|---:|---|",
    ]
    lines += [s.row() for s in scores]
    for s in scores:
        lines += ["", f"## {s.name}", ""]
        lines += ["Missed:"] + [f"- {m}" for m in s.missed] if s.missed else ["Nothing missed."]
        if s.alarms:
            lines += ["", "False alarms:"] + [f"- {a}" for a in s.alarms]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-v", action="store_true", dest="verbose")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "skolebro.tar.gz")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent  # the engine environment only

    agent = Agent.load(str(args.model))

    async def run_all() -> list[EngineScore]:
        return [await score(path, agent) for path in args.files]

    scores = asyncio.run(run_all())
    for s in scores:
        print(s.row())
        if args.verbose:
            for m in s.missed:
                print("  MISSED", m)
            for a in s.alarms:
                print("  FALSE ", a)
    if args.report:
        args.report.write_text("\n".join(markdown(scores)) + "\n", encoding="utf-8")
    return 0 if all(s.ok for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
