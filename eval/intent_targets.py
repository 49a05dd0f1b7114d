"""Check the intent targets on the report scripts/nlu_eval.py writes.

Usage: python eval/intent_targets.py [reports/nlu_cross_validation.md]
Targets (issue 14): cross-validated accuracy and macro F1 >= 0.90, no intent below F1 0.80.
Prints a small table and exits non-zero when a target is missed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "nlu_cross_validation.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# One definition of the targets, shared with the report writer and the blind sets.
from scripts.nlu_eval import TARGET_OVERALL, TARGET_PER_INTENT  # noqa: E402

MIN_ACCURACY = MIN_MACRO_F1 = TARGET_OVERALL
MIN_INTENT_F1 = TARGET_PER_INTENT
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|")


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else REPORT
    text = path.read_text(encoding="utf-8")
    f1: dict[str, float] = {}
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            f1[m.group(1).strip("* ")] = float(m.group(4))
    acc = re.search(r"Accuracy:\s*([\d.]+)", text)
    accuracy = float(acc.group(1)) if acc else 0.0
    macro = f1.pop("macro avg", 0.0)
    f1.pop("weighted avg", None)
    weak = sorted((v, k) for k, v in f1.items() if v < MIN_INTENT_F1)
    ok = accuracy >= MIN_ACCURACY and macro >= MIN_MACRO_F1 and not weak and bool(f1)
    print("| intent target | needed | measured |")
    print("|---|---:|---:|")
    print(f"| accuracy | {MIN_ACCURACY:.2f} | {accuracy:.3f} |")
    print(f"| macro F1 | {MIN_MACRO_F1:.2f} | {macro:.3f} |")
    print(f"| intents below F1 {MIN_INTENT_F1:.2f} | 0 | {len(weak)} |")
    for value, name in weak:
        print(f"|   {name} | | {value:.3f} |")
    print(f"Intents: {'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
