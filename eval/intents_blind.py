"""Parse blind intent sets with the trained model: per-intent precision, recall and F1.

Usage: python eval/intents_blind.py [-v] [--model models/skolebro.tar.gz] FILE [FILE ...]

A blind set (`eval/blind/intents_heldout*.yaml`: `examples: [{intent, text}, ...]`) is written by
someone who never read `data/nlu.yml`; it measures unseen wording, so nothing is ever tuned on it.
Each file is turned into Rasa's NLU format and run through `rasa test nlu` with the shipped model
(the whole pipeline, danger override and intent blend included). Prints a table per file and,
with -v, every message the model got wrong. Exits non-zero when a file misses the intent targets
(accuracy and macro F1 >= 0.90, no intent below F1 0.80).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The same report reading and targets as the cross-validation (scripts/nlu_eval.py).
from scripts.nlu_eval import RASA, per_intent, targets_met, weakest_intent  # noqa: E402


def to_rasa_nlu(examples: list[dict]) -> str:
    by_intent: dict[str, list[str]] = {}
    for item in examples:
        by_intent.setdefault(item["intent"], []).append(str(item["text"]))
    # Plain lines, as in data/nlu.yml: quoting them would hand the quotes to the tokenizer.
    nlu = [
        {"intent": name, "examples": "".join(f"- {' '.join(t.split())}\n" for t in texts)}
        for name, texts in by_intent.items()
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False)


def run(path: Path, model: Path) -> tuple[dict, list[dict]]:
    examples = yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "nlu.yml"
        data.write_text(to_rasa_nlu(examples), encoding="utf-8")
        out = Path(tmp) / "out"
        subprocess.run(
            [RASA, "test", "nlu", "--model", model, "--nlu", data, "--out", out],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        report = json.loads((out / "intent_report.json").read_text())
        errors_file = out / "intent_errors.json"
        errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    return report, errors


def table(path: Path, report: dict) -> tuple[list[str], bool]:
    acc, macro = report.get("accuracy", 0.0), report["macro avg"]["f1-score"]
    weakest = weakest_intent(report)
    ok = targets_met(report)
    lines = [
        f"### {path.name}",
        "",
        f"Accuracy {acc:.3f}, macro F1 {macro:.3f}, weakest {weakest[0]} "
        f"{weakest[1]['f1-score']:.2f} -> {'OK' if ok else 'NOT met'}",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, v in sorted(per_intent(report).items(), key=lambda kv: kv[1]["f1-score"]):
        lines.append(
            f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1-score']:.2f} "
            f"| {int(v['support'])} |"
        )
    return lines + [""], ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "skolebro.tar.gz")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong message")
    args = parser.parse_args(argv)
    all_ok = True
    for path in args.files:
        report, errors = run(path, args.model)
        lines, ok = table(path, report)
        all_ok &= ok
        print("\n".join(lines))
        if args.verbose:
            for e in sorted(errors, key=lambda e: e["intent"]):
                got = e["intent_prediction"]
                conf = got["confidence"]
                print(f"  {e['intent']:>18} -> {got['name']:<18} {conf:.2f}  {e['text']}")
            print()
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
