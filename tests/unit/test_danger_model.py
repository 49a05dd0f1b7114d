"""The danger detector's trained layer: it catches wording the lexicon does not know, keeps
everyday messages calm, learns only from the named sets, and gives the same answers in the Rasa
engine's environment as in the app's."""

from __future__ import annotations

import json
import subprocess  # nosec B404 - runs this project's engine interpreter on a fixed script
import sys
from pathlib import Path

import pytest

import bot.risk as risk
from bot.understanding import danger_model
from bot.understanding.corpus import TRAIN_PARTS
from bot.understanding.danger_corpus import (
    CALM_INTAKE_PARTS,
    EVAL_DIR,
    TRAINING_SETS,
    training_items,
)

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PYTHON = ROOT / ".venvs" / "engine" / "bin" / "python"
sys.path.insert(0, str(ROOT / "eval"))
import danger_loso  # noqa: E402


@pytest.mark.parametrize(
    "text",
    ["jeg vil bare ikke være her længere", "jeg tror ikke jeg er her ret meget længere"],
)
def test_wording_the_lexicon_does_not_know_is_still_flagged(text: str) -> None:
    assert not risk.lexicon_risk(text).is_risk  # the reason the model exists
    result = risk.detect_risk(text)
    assert result.is_risk and result.kinds == ["self_harm"]
    assert text in result.matches  # the worker sees the person's own words


@pytest.mark.parametrize(
    "text",
    [
        "min lillebror slog mig med en pude",
        "de smider ham ud af legen",
        "jeg dør af grin",
        "min far slår mig altid i skak",
        "jeg vil ikke dø, jeg vil bare ikke i skole",
        "vi har ikke mad med på tur",
        "han truer med at gå hjem hvis vi ikke leger hans leg",
        "nej tak ellers",  # polite "no thanks", not a threat cut short ("hold kæft, ellers")
    ],
)
def test_everyday_messages_stay_calm(text: str) -> None:
    result = risk.detect_risk(text)
    assert not result.is_risk and not result.needs_check, result


def test_a_wish_to_die_about_school_stays_a_gentle_check() -> None:
    result = risk.detect_risk("han siger han vil dø hvis han skal i skole")
    assert result.needs_check and not result.is_risk


def test_thrown_out_of_home_is_still_danger() -> None:
    assert risk.detect_risk("min far smed mig ud af huset i nat").kinds == ["neglect"]


def test_the_lexicon_answers_alone_when_the_model_is_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(danger_model, "available_model", lambda prepare=None, flagged=None: None)
    text = "jeg vil bare ikke være her længere"
    assert risk.detect_risk(text) == risk.lexicon_risk(text)
    assert risk.detect_risk("min far slår mig").kinds == ["violence"]


def test_training_is_deterministic() -> None:
    items = training_items()
    a = danger_model.train(items, prepare=risk.model_input)
    b = danger_model.train(items, prepare=risk.model_input)
    for text in ("jeg vil ikke leve mere", "min bror tager mine ting", "vi sover i bilen"):
        assert a.probabilities(text) == b.probabilities(text)


def test_the_model_learns_only_from_the_named_sets() -> None:
    names = {p.name for p in EVAL_DIR.glob("risk_*.yaml")} | {
        str(p.relative_to(EVAL_DIR)) for p in EVAL_DIR.glob("danger_train/*.yaml")
    }
    assert not any(name.startswith("blind/") for name in TRAINING_SETS)
    assert set(TRAINING_SETS) <= names
    # The intake answers learnt as calm come from the area corpus's training parts only, never
    # from its frozen test part or a blind set.
    assert set(CALM_INTAKE_PARTS) <= set(TRAIN_PARTS)
    left_out = training_items(exclude=frozenset({"risk_fresh5.yaml"}))
    assert {i.source for i in left_out} == set(TRAINING_SETS) - {"risk_fresh5.yaml"}


def test_leave_one_set_out_never_scores_a_set_the_model_learned_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[set[str]] = []
    real_train = danger_model.train

    def spy(items, settings=None, prepare=None):  # type: ignore[no-untyped-def]
        items = list(items)
        seen.append({i.source for i in items})
        # What each model learned from is recorded above; a model from every 20th item keeps
        # the scoring path real at a twentieth of the cost (21 trainings).
        return real_train(items[::20], settings, prepare)

    monkeypatch.setattr(danger_loso, "train", spy)
    lexicons = {"current": {n: danger_loso.current_lexicon(n) for n in TRAINING_SETS}}
    probs = danger_loso.loso_probabilities(danger_model.DangerModelSettings(), lexicons)
    assert list(probs["current"]) == list(TRAINING_SETS)
    for name, sources in zip(TRAINING_SETS, seen, strict=True):
        assert name not in sources
        assert set(TRAINING_SETS) - {name} <= sources
        assert "areas/test.yaml" not in sources  # the area corpus's frozen part is never learned


@pytest.mark.skipif(not ENGINE_PYTHON.exists(), reason="engine environment not installed")
def test_the_rasa_engine_environment_gives_the_same_answers() -> None:
    texts = [
        "jeg vil bare ikke være her længere",
        "min stedfar giver mig tæsk",
        "de smider ham ud af legen",
        "han siger han vil dø hvis han skal i skole",
    ]
    script = (
        "import json, sys\n"
        "from bot.risk import detect_risk, model_input\n"
        "from bot.understanding.danger_model import available_model\n"
        "m = available_model(model_input)\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([[detect_risk(t).to_dict(), m.probabilities(t)] for t in texts]))\n"
    )
    out = subprocess.run(  # nosec B603 - the project's own engine interpreter
        [str(ENGINE_PYTHON), "-c", script],
        cwd=ROOT,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        # Both sides train (no saved model), so the two scikit-learn versions are compared.
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", danger_model.MODEL_FILE_ENV: "off"},
    )
    engine = json.loads(out.stdout)
    model = danger_model.train(danger_model.training_data(risk._flagged), prepare=risk.model_input)
    for text, (result, probs) in zip(texts, engine, strict=True):
        assert result == risk.detect_risk(text).to_dict()
        for kind, p in model.probabilities(text).items():
            assert probs[kind] == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize(
    "text", ["slet mine svar", "slet alt", "slet samtalen", "jeg fortryder, slet det hele"]
)
def test_asking_to_delete_is_never_read_as_danger(text: str) -> None:
    # "slet" shares letters with "slå": the chat's own commands are calm examples for the model.
    assert not risk.detect_risk(text).kinds


def test_a_saved_model_answers_as_the_trained_one_and_a_stale_one_is_not_used(
    tmp_path: Path,
) -> None:
    settings = danger_model.DangerModelSettings()
    items = danger_model.training_data(risk._flagged)
    trained = danger_model.train(items, settings, prepare=risk.model_input)
    key = danger_model.training_digest(settings, risk.model_input, risk._flagged)
    path = tmp_path / "danger_model.json"
    danger_model.save(trained, path, key)

    loaded = danger_model.load(path, key, settings, prepare=risk.model_input)
    assert loaded is not None
    for text in [
        "min stedfar giver mig tæsk",
        "jeg vil bare ikke være her længere",
        "fysik og kemi giver ingen mening for mig",
    ]:
        for kind, p in trained.probabilities(text).items():
            assert loaded.probabilities(text)[kind] == pytest.approx(p, abs=1e-12)
    # Trained from other inputs (another digest) or unreadable: trained again, never used.
    assert danger_model.load(path, "0" * 64, settings, prepare=risk.model_input) is None
    path.write_text("{not json", encoding="utf-8")
    assert danger_model.load(path, key, settings, prepare=risk.model_input) is None


def test_the_digest_changes_when_a_training_set_changes(tmp_path: Path, monkeypatch) -> None:
    settings = danger_model.DangerModelSettings()
    copy = tmp_path / "eval"
    copy.mkdir()
    for name in TRAINING_SETS:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((EVAL_DIR / name).read_bytes())
    monkeypatch.setattr(danger_model, "EVAL_DIR", copy)
    before = danger_model.training_digest(settings, risk.model_input, risk._flagged)
    assert danger_model.training_digest(settings, risk.model_input, risk._flagged) == before
    with open(copy / TRAINING_SETS[0], "a", encoding="utf-8") as fh:
        fh.write("\n# a reviewer's note\n")
    assert danger_model.training_digest(settings, risk.model_input, risk._flagged) != before


def test_the_cross_validation_fold_teaches_the_model_only_its_own_chat_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/nlu_eval.py points CHAT_DATA_ENV at a fold's training part: the model learns that
    file's examples and not data/nlu.yml's, and a model saved for one file is not used for
    another (the held-out fold must never have been learnt)."""
    fold = tmp_path / "nlu.yml"
    fold.write_text(
        'version: "3.1"\nnlu:\n- intent: not_safe\n  examples: |\n    - kom nu, han er her\n'
        "- intent: pause\n  examples: |\n    - vi tager resten senere\n",
        encoding="utf-8",
    )
    settings = danger_model.DangerModelSettings()
    shipped = danger_model.training_digest(settings, risk.model_input, risk._flagged)
    monkeypatch.setenv(danger_model.CHAT_DATA_ENV, str(fold))
    assert danger_model.chat_data() == fold
    chat = {
        i.text: i.labels
        for i in danger_model.training_data(risk._flagged, chat=danger_model.chat_data())
        if i.source.startswith("nlu/")
    }
    assert chat == {"kom nu, han er her": {"acute_danger"}, "vi tager resten senere": set()}
    assert danger_model.training_digest(settings, risk.model_input, risk._flagged) != shipped
