"""Choose the free-text area classifier's settings by cross-validation on the training parts.

Usage: python eval/areas_cv.py [--folds 5] [--parts train dev ...]

Only the training parts (`TRAIN_PARTS`, or the ones named) are read: the frozen test part and
the blind sets are never looked at here, so a setting chosen from this table is not tuned on
them. Each fold trains the model on the other folds and scores, per candidate setting, the
held-out fold: the lexicon alone, the model with lexicon features at a threshold, and the
"combined" candidate: the lexicon's hits that the model without lexicon features does not rule
out (probability >= veto) plus the areas that model is sure of (>= threshold).
Prints micro precision, recall and F1 over all folds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.understanding.classifier import combine  # noqa: E402
from bot.understanding.corpus import TRAIN_PARTS, Item, load_part, prf  # noqa: E402
from bot.understanding.lexicon import scan  # noqa: E402
from bot.understanding.model import ModelSettings, train  # noqa: E402
from bot.understanding.vocabulary import AREA_ORDER  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
VETOES = (0.0, 0.05, 0.1, 0.2, 0.3)


def micro(pairs: list[tuple[frozenset[str], set[str]]]) -> tuple[float, float, float]:
    tp = sum(len(gold & got) for gold, got in pairs)
    fp = sum(len(got - gold) for gold, got in pairs)
    fn = sum(len(gold - got) for gold, got in pairs)
    return prf(tp, fp, fn)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--parts", nargs="*", default=list(TRAIN_PARTS))
    parser.add_argument("--c", type=float, nargs="*", default=[ModelSettings().c])
    args = parser.parse_args(argv)
    items: list[Item] = [item for part in args.parts for item in load_part(part)]
    folds = [items[i :: args.folds] for i in range(args.folds)]
    lexicon = [(it.areas, {h.area for h in scan(it.text)}) for it in items]
    rows = [("lexicon", "-", *micro(lexicon))]
    for c in args.c:
        combined: dict[tuple[float, float], list] = {(v, t): [] for v in VETOES for t in THRESHOLDS}
        model: dict[float, list] = {t: [] for t in THRESHOLDS}
        for k, held in enumerate(folds):
            rest = [it for j, f in enumerate(folds) if j != k for it in f]
            plain = train(rest, ModelSettings(c=c, lexicon_features=False))
            with_lex = train(rest, ModelSettings(c=c, lexicon_features=True))
            for it in held:
                lex = {h.area for h in scan(it.text)}
                p_plain = plain.probabilities([it.text])[0]
                p_lex = with_lex.probabilities([it.text])[0]
                for v, t in combined:
                    combined[v, t].append((it.areas, combine(lex, p_plain, v, t)))
                for t in THRESHOLDS:
                    model[t].append((it.areas, {a for a in AREA_ORDER if p_lex[a] >= t}))
        for (v, t), pairs in combined.items():
            rows.append((f"combined C={c} veto={v:.2f}", f"{t:.1f}", *micro(pairs)))
        for t in THRESHOLDS:
            rows.append((f"model C={c}", f"{t:.1f}", *micro(model[t])))
    print(f"{len(items)} answers from {', '.join(args.parts)}; {args.folds} folds")
    print(f"{'candidate':<30} {'thr':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for name, thr, p, r, f in rows:
        print(f"{name:<30} {thr:>4} {p:6.3f} {r:6.3f} {f:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
