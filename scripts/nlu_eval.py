"""NLU cross-validation: per-intent precision, recall and F1, printed and kept as a report.

Runs `rasa test nlu --cross-validation` in the engine environment and turns Rasa's
intent_report.json into reports/nlu_cross_validation.md (checked in, so changes in NLU quality
show up in review).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venvs" / "engine" / "bin" / "rasa"
REPORT = ROOT / "reports" / "nlu_cross_validation.md"


def run_cross_validation(folds: int, out: Path) -> float:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA),
            "test",
            "nlu",
            "--nlu",
            "data",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def render(report: dict, folds: int, seconds: float) -> str:
    rows = sorted(
        (
            (k, v)
            for k, v in report.items()
            if isinstance(v, dict)
            and "f1-score" in v
            and k not in ("macro avg", "weighted avg", "micro avg")
        ),
        key=lambda kv: kv[1]["f1-score"],
    )
    lines = [
        "# NLU cross-validation",
        "",
        f"{folds}-fold cross-validation of `config.yml` on `data/` (`make eval`, {seconds:.0f} s). "
        "The pipeline includes the danger-lexicon override (nlu_ext), so the risk rows show "
        "both layers together.",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, v in rows:
        lines.append(
            f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1-score']:.2f} "
            f"| {int(v['support'])} |"
        )
    for avg in ("macro avg", "weighted avg"):
        if avg in report:
            v = report[avg]
            lines.append(
                f"| **{avg}** | {v['precision']:.2f} | {v['recall']:.2f} | "
                f"{v['f1-score']:.2f} | {int(v['support'])} |"
            )
    if "accuracy" in report:
        lines += ["", f"Accuracy: {report['accuracy']:.3f}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        seconds = run_cross_validation(args.folds, out)
        report = json.loads((out / "intent_report.json").read_text())
    text = render(report, args.folds, seconds)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
    print(text)
    print(f"Written to {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
