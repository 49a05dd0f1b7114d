"""Score the free-text area classifiers on the frozen test part of eval/areas/ and on every
blind set written after it (`eval/areas/blind*.yaml`).

Usage: python eval/areas_eval.py [--report reports/areas.md]
Prints, for each part and candidate (lexicon, model, combined), precision/recall/F1 per area and
micro, and the chosen classifier's cost: start-up (loading, training) and time per answer. Writes
the same tables as markdown. Exits non-zero when the chosen classifier misses the target
(micro-F1 >= 0.90, precision and recall each >= 0.88) on any part.

This script only reports: nothing here tunes on the test part (see eval/areas/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.understanding import classifier  # noqa: E402
from bot.understanding.corpus import (  # noqa: E402
    CORPUS_DIR,
    TRAIN_PARTS,
    Scores,
    load_part,
    score,
    training_items,
)
from bot.understanding.lexicon import scan  # noqa: E402
from bot.understanding.vocabulary import AREA_ORDER, load_vocabulary  # noqa: E402

TARGET_F1, TARGET_P, TARGET_R = 0.90, 0.88, 0.88


def table(name: str, s: Scores) -> list[str]:
    lines = [
        f"#### {name}",
        "",
        "| area | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for area in AREA_ORDER:
        p, r, f, n = s.per_label[area]
        lines.append(f"| {area} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
    p, r, f = s.micro
    lines.append(f"| **micro** | **{p:.3f}** | **{r:.3f}** | **{f:.3f}** | |")
    lines += ["", f"Whole answer right (all its areas, no extra): {s.exact:.1%}", ""]
    return lines


def costs(texts: list[str]) -> list[str]:
    load_vocabulary.cache_clear()
    start = time.perf_counter()
    load_vocabulary()
    scan("opvarmning")
    vocab_ms = 1000 * (time.perf_counter() - start)
    lines = [
        "| cost | value |",
        "|---|---:|",
        f"| start-up: load the vocabulary | {vocab_ms:.1f} ms |",
    ]
    probe = (
        "import time; t = time.perf_counter(); "
        "import sklearn.linear_model, sklearn.feature_extraction.text; "
        "print(1000 * (time.perf_counter() - t))"
    )
    import_ms = float(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
    )
    lines.append(f"| start-up: import scikit-learn (model candidates only) | {import_ms:.0f} ms |")
    for with_lex in (True, False):
        classifier.forget_models()
        start = time.perf_counter()
        classifier.trained_model(with_lex)
        label = "with" if with_lex else "without"
        lines.append(
            f"| start-up: train the model {label} lexicon features | "
            f"{1000 * (time.perf_counter() - start):.0f} ms |"
        )
    for name in classifier.CANDIDATES:
        fn = classifier.candidate(name)
        times = []
        for text in texts * 3:
            t0 = time.perf_counter()
            fn(text)
            times.append(1000 * (time.perf_counter() - t0))
        times.sort()
        lines.append(
            f"| per answer, {name}: mean / p95 | {statistics.fmean(times):.2f} / "
            f"{times[int(0.95 * len(times))]:.2f} ms |"
        )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", default=str(ROOT / "reports" / "areas.md"))
    args = parser.parse_args(argv)
    test = load_part("test")
    blind = sorted(path.stem for path in CORPUS_DIR.glob("blind*.yaml"))
    lines = [
        "# Free-text areas: frozen test part and blind sets",
        "",
        f"{len(test)} answers in `eval/areas/test.yaml` (written before the classifier; never "
        "tuned on), and the blind sets written later by someone who read only the labelling "
        "rules (`eval/areas/blind*.yaml`). The model candidates are trained on the training "
        f"parts ({', '.join(TRAIN_PARTS)}: "
        f"{len(training_items())} answers).",
        f"Chosen classifier: **{classifier.CHOSEN}**. Target: micro-F1 >= {TARGET_F1:.2f}, "
        f"precision and recall >= {TARGET_P:.2f}.",
        "",
    ]
    verdicts = []
    for part in ["test", *blind]:
        items = load_part(part)
        lines += [f"### `{part}.yaml` ({len(items)} answers)", ""]
        results = {name: score(items, classifier.candidate(name)) for name in classifier.CANDIDATES}
        for name in classifier.CANDIDATES:
            lines += table(name, results[name])
        p, r, f = results[classifier.CHOSEN].micro
        ok = f >= TARGET_F1 and p >= TARGET_P and r >= TARGET_R
        verdicts.append(
            f"Areas ({classifier.CHOSEN}, {part}): P {p:.3f} R {r:.3f} F1 {f:.3f} -> "
            f"{'OK' if ok else 'FAIL'}"
        )
    lines += ["### Cost", ""] + costs([i.text for i in test]) + [""]
    lines += verdicts
    ok = all(v.endswith("OK") for v in verdicts)
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
