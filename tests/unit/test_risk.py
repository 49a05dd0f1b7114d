"""Danger signals are caught (every labelled set) without crying wolf at idioms."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml

from bot.risk import KINDS, LEXICON_PATH, detect_risk, lexicon_risk
from bot.understanding.danger_corpus import KINDS as HARMS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "eval"))
import run_eval  # noqa: E402

EVAL_FILES = run_eval.eval_files()


def test_the_eval_sets_are_there() -> None:
    names = {p.name for p in EVAL_FILES}
    assert {"risk_eval.yaml", "risk_heldout.yaml", "risk_fresh.yaml"} <= names


@pytest.mark.parametrize("path", EVAL_FILES, ids=[p.name for p in EVAL_FILES])
def test_every_eval_set_has_full_recall_and_few_false_alarms(path: Path) -> None:
    rep = run_eval.evaluate(path)
    assert rep.n_risk > 0 and rep.n_calm > 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not any("category" in item for item in data["risk"]):
        assert set(rep.per_group) == set(HARMS)  # written before acute danger had its kind
    assert rep.missed == []
    assert rep.false_alarm_rate <= run_eval.MAX_FALSE_ALARM, rep.false_alarms


def test_main_set_keeps_its_size() -> None:
    rep = run_eval.evaluate(run_eval.MAIN)
    assert rep.n_risk >= 120 and rep.n_calm >= 120


def test_fresh_set_is_large_and_covers_both_perspectives() -> None:
    data = yaml.safe_load(run_eval.FRESH.read_text(encoding="utf-8"))
    risk, calm = data["risk"], data["calm"]
    assert len(risk) >= 100 and len(calm) >= 50 and len(risk) + len(calm) >= 150
    for kind in HARMS:
        whos = {item["who"] for item in risk if kind in item["kinds"]}
        assert whos == {"parent", "pupil"}, kind
    assert sum(len(item["kinds"]) > 1 for item in risk) >= 5  # several kinds in one message


def test_the_known_multi_kind_miss_finds_both_kinds() -> None:
    result = detect_risk("jeg vil ikke leve mere, min far slår mig")
    assert result.kinds == ["self_harm", "violence"]
    assert "slår mig" in result.matches


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("min far slår mig og jeg vil ikke leve mere", {"self_harm", "violence"}),
        ("min far slaar mig, jeg vil bare doe", {"self_harm", "violence"}),
        ("vi har ingen mad og min mor slår mig", {"neglect", "violence"}),
        (
            "min onkel rører ved mig og siger han slår mig ihjel hvis jeg siger det",
            {"sexual_abuse", "threats"},
        ),
        ("der er aldrig mad derhjemme og jeg har lyst til at dø", {"neglect", "self_harm"}),
    ],
)
def test_every_kind_in_a_message_is_reported(text: str, kinds: set[str]) -> None:
    assert kinds <= set(detect_risk(text).kinds)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jeg vil ikke leve mere", "self_harm"),
        ("jeg vil ikk leve mer", "self_harm"),
        ("jeg taenker paa selvmor", "self_harm"),
        ("hun skærer i sig selv", "self_harm"),
        ("jeg orker ikke mere at være her", "self_harm"),
        ("vil bare forsvinde for altid", "self_harm"),
        ("jeg har ridset mig", "self_harm"),
        ("han er ved at tage livet af sig selv", "self_harm"),
        ("hun vil død", "self_harm"),
        ("min far slaar mig", "violence"),
        ("min far slag mig", "violence"),
        ("he hit me", "violence"),
        ("han tæsker hende", "violence"),
        ("en voksen roer ved mig", "sexual_abuse"),
        ("min stedfar tager på mig", "sexual_abuse"),
        ("min stefar tager pa mig", "sexual_abuse"),
        ("de har lagt nøgenbilleder af mig ud", "sexual_abuse"),
        ("jeg har ikke noget sted at sove", "neglect"),
        ("vi sover i bilen", "neglect"),
        ("de truer med at dele billeder af mig", "threats"),
        ("han siger han vil stikke mig ned", "threats"),
    ],
)
def test_named_danger_cases(text: str, kind: str) -> None:
    result = detect_risk(text)
    assert result.is_risk and kind in result.kinds, result


@pytest.mark.parametrize(
    "text",
    [
        "jeg keder mig ihjel",
        "matematik slår mig ihjel",
        "brøker slår mig ihjel",
        "grammatik slår mig ihjel lige nu",
        "naturfag dræber mig",
        "lektierne dræber mig",
        "jeg er så træt af matematik at jeg kunne dø",
        "jeg dør af grin",
        "jeg var ved at dø af skam",
        "det var dødsjovt",
        "jeg dør hvis jeg skal fremlægge",
        "vi slog tiden ihjel",
        "min bror slog mig i skak",
        "vi bankede dem 5-0",
        "han slog sig på cyklen",
        "jeg skar mig på et papir",
        "vi spillede krig i frikvarteret",
        "i fortnite skyder jeg folk",
        "vi har haft om selvmord i dansk",
        "farmor døde sidste år",
        "min mor er død for 3 år siden",
        "jeg vil ikke leve uden min telefon haha",
        "jeg vil bare forsvinde ind på mit værelse",
        "min mor truer med at tage min telefon",
        "jeg har taget på i ferien",
        "vi skændes om skærmtid",
        "det var voldsomt hårdt",
        "han spiller voldelige spil",
        "min telefon har ingen strøm",
        "jeg glemte min madpakke",
        # "nogen" (somebody) is "nøgen" (naked) typed without ø
        "der er nogen der driller ham",
        # one word the danger sets use is no danger ("ikke her til jul", "alene med")
        "hvor mange dage er der til jul",
        "jeg er alene med børnene",
        # the child's own retreat when school is hard
        "Han låser sig inde på badeværelset og råber af sin storesøster",
        "jeg låser mig inde på mit værelse når jeg skal i skole",
    ],
)
def test_idioms_and_everyday_words_are_calm(text: str) -> None:
    result = detect_risk(text)
    assert result.is_risk is False, result


@pytest.mark.parametrize(
    "text",
    ["jeg slår mig ihjel", "jeg slår mig ihjel i aften", "så slår jeg mig ihjel"],
)
def test_killing_oneself_in_the_present_tense_is_self_harm(text: str) -> None:
    # "jeg slår mig ihjel" had been blanked as "jeg slog mig" (I hurt myself falling).
    assert "self_harm" in lexicon_risk(text).kinds


def test_someone_else_killing_me_is_a_threat_not_self_harm() -> None:
    result = lexicon_risk("far slår mig ihjel hvis jeg siger det til nogen")
    assert "threats" in result.kinds and "self_harm" not in result.kinds
    assert lexicon_risk("jeg slog mig på cyklen").kinds == []


def test_matches_quote_the_persons_own_words() -> None:
    result = detect_risk("Min far slår mig, når han er fuld")
    assert result.kinds == ["violence"]
    assert result.matches == ["slår mig"]


def test_empty_and_odd_input() -> None:
    assert detect_risk("").is_risk is False
    assert detect_risk("   \n ").is_risk is False
    assert detect_risk("🙂🙂🙂 ...").is_risk is False
    assert detect_risk("JEG VIL IKKE LEVE MERE!!!").kinds == ["self_harm"]


# The categories a Danish worker is trained to notice (underretning guidance), each with its own
# danger examples in parent and pupil voices.
CATEGORIES = {
    "self_harm_direct",
    "self_harm_indirect",
    "self_harm_observed",
    "violence_household_other",
    "violence_outside",
    "sexual_abuse",
    "online_grooming",
    "neglect_food",
    "neglect_no_adult",
    "neglect_no_sleep_place",
    "thrown_out",
    "runaway",
    "substance_home",
    "psychiatric_home",
    "honour_control",
    "threats",
    "check",
}


def test_category_sets_cover_every_category_in_both_voices() -> None:
    sets = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in EVAL_FILES
        if p.name.startswith("risk_categories") or p.name.startswith("risk_fresh2")
    ]
    assert sets
    for data in sets:
        whos: dict[str, set[str]] = {}
        for item in data["risk"]:
            whos.setdefault(item["category"], set()).add(item["who"])
        # Acute danger got its own kind after risk_fresh2 was written.
        assert CATEGORIES <= set(whos) <= CATEGORIES | {"acute_danger"}
        assert set().union(*whos.values()) == {"parent", "pupil"}
        assert {item["who"] for item in data["calm"]} == {"parent", "pupil"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jeg har set snitsår på hendes arme", "self_harm"),
        ("mors kæreste slår mig når hun er på arbejde", "violence"),
        ("min storebror tæsker mig", "violence"),
        ("en fyr på 25 jeg har mødt på snap vil have nøgenbilleder", "sexual_abuse"),
        ("jeg har ikke noget sted at sove i nat", "neglect"),
        ("min far har smidt mig ud", "neglect"),
        ("min mor er fuld hver aften og så er der ingen der passer på os", "neglect"),
        ("de vil gifte mig med min fætter til sommer", "threats"),
    ],
)
def test_widened_categories_are_flagged_urgent(text: str, kind: str) -> None:
    result = detect_risk(text)
    assert result.is_risk and kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "jeg føler mig ikke tryg her",
        "ring efter politiet nu",
        "vi er i livsfare",
        "not safe",
        "jeg foeler mig ikke sikker",
    ],
)
def test_not_safe_now_is_acute_danger_not_a_harm_nobody_named(text: str) -> None:
    # The worker reads "Akut fare (føler sig ikke tryg)"; these were filed as threats before.
    result = detect_risk(text)
    assert result.is_risk and result.kinds == ["acute_danger"], result


def test_a_harm_named_beside_not_safe_is_reported_too() -> None:
    result = detect_risk("min stedfar slår mig og jeg er ikke i sikkerhed")
    assert result.kinds == ["violence", "acute_danger"], result


@pytest.mark.parametrize(
    "text", ["jeg er ikke sikker", "jeg føler mig ikke sikker på brøker", "er det sikkert her?"]
)
def test_not_sure_is_not_unsafe(text: str) -> None:
    assert not detect_risk(text).is_risk


@pytest.mark.parametrize(
    "text", ["send en voksen nu", "min stedfar står lige bag mig og kigger", "hjælp mig nu"]
)
def test_asking_for_help_now_gets_no_harm_the_person_did_not_name(text: str) -> None:
    # The model read "voksen" as sexual abuse; the chat's not_safe intent flags these as acute
    # danger (actions/safety.py), and the model learns them as none of its harms.
    assert detect_risk(text).kinds == []


@pytest.mark.parametrize(
    "text",
    [
        "han har brug for hjælp i dansk",
        "jeg har brug for hjælp til matematik",
        "jeg har brug for hjælp til lektierne",
        "kan nogen ringe til mig i morgen om mødet",
        "min mor kommer og henter mig nu",
    ],
)
def test_asking_for_help_with_school_is_no_danger(text: str) -> None:
    # Learnt as a kind from the chat's not_safe examples ("jeg har brug for hjælp nu"), acute
    # danger took these answers for danger, and their reply would be "Ring 112 nu".
    assert not detect_risk(text).kinds


def test_a_wish_to_die_about_school_gets_a_gentle_check_not_an_urgent_flag() -> None:
    result = detect_risk("han siger han vil dø hvis han skal i skole")
    assert not result.is_risk and result.needs_check
    assert result.to_dict()["check"] == ["vil dø hvis han skal i skole"]
    # Tied to home it is danger; as a joke or an idiom it is nothing.
    assert detect_risk("jeg vil hellere dø end at komme hjem").is_risk
    for calm in ("jeg keder mig ihjel", "jeg vil dø hvis jeg skal synge foran klassen haha"):
        assert not detect_risk(calm).is_risk and not detect_risk(calm).needs_check


@pytest.mark.parametrize(
    "text",
    [
        "Han bliver ikke slået derhjemme, det er skolen han er bange for",
        "Der er ingen vold i hjemmet, vi har bare mange konflikter om skærmtid",
        "nej, der er ingen der slår ham, hverken hjemme eller i skolen",
        "min far slår mig aldrig, han er sød",
        "Hun har ikke skåret i sig selv, det har vi talt med sundhedsplejersken om",
        "jeg har aldrig haft lyst til at dø, jeg vil bare ik i den klasse",
    ],
)
def test_a_denial_is_no_danger_signal(text: str) -> None:
    result = detect_risk(text)
    assert not result.is_risk and not result.needs_check


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a contrast names who does it; "ikke kun", "ikke længere", "ikke hver dag" still tell
        ("det er ikke mor der slår mig, det er stedfar", "violence"),
        ("det er ikke kun i skolen han bliver slået", "violence"),
        ("han slår mig ikke hver dag, kun når han har drukket", "violence"),
        ("jeg har ikke fortalt nogen at far slår mig", "violence"),
        ("Han bliver ikke slået, men jeg har set blå mærker på hans ryg", "violence"),
        ("jeg vil ikke leve mere", "self_harm"),
        ("min stedfar låser mig inde på badeværelset", "violence"),
    ],
)
def test_negation_that_is_no_denial_still_raises_the_alarm(text: str, kind: str) -> None:
    assert kind in detect_risk(text).kinds


def test_hopelessness_in_other_words_gets_the_gentle_check() -> None:
    # Not in the lexicon's check phrases: the model's check label asks "are you safe?".
    for text in ("hvad er pointen med noget som helst", "kan ik se nogen fremtid for mig selv tbh"):
        result = detect_risk(text)
        assert result.needs_check and not result.is_risk, text
    # An idiom leaves the model nothing to read: no check.
    for calm in ("jeg keder mig helt ihjel", "jeg slog min lillebror i ludo"):
        assert not detect_risk(calm).needs_check


def test_nothing_more_to_add_with_an_emoji_is_no_check() -> None:
    # Two words and a thumb: too little for the model, as "ikke mere" alone is.
    assert not detect_risk("ikke mere 👍").needs_check
    assert not detect_risk("ikke mere").needs_check


def test_engine_modules_use_only_what_the_engine_environment_has() -> None:
    # The Rasa engine runs bot.risk too: the standard library, PyYAML, and scikit-learn/numpy/
    # scipy (Rasa's own dependencies) only.
    allowed = set(sys.stdlib_module_names) | {
        "yaml",
        "bot",
        "__future__",
        "numpy",
        "scipy",
        "sklearn",
    }
    for name in (
        "risk.py",
        "normalize.py",
        "understanding/danger_model.py",
        "understanding/danger_corpus.py",
    ):
        tree = ast.parse((ROOT / "bot" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            for mod in mods:
                assert mod.split(".")[0] in allowed, f"{name} imports {mod}"


def test_lexicon_is_well_formed() -> None:
    raw = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    assert set(raw["kinds"]) == set(KINDS)
    for kind in KINDS:
        assert raw["kinds"][kind]["patterns"]
    for kind in HARMS:  # "not safe now" has no single word of its own
        assert raw["kinds"][kind]["keywords"]


def test_long_weak_commands_name_only_intents_the_bot_has() -> None:
    """nlu_ext/risk_override.py turns long, weakly read commands into answers; an intent that
    no longer exists there (e.g. a removed `goodbye`) would hide a real change of the domain."""
    tree = ast.parse((ROOT / "nlu_ext" / "risk_override.py").read_text(encoding="utf-8"))
    commands: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SHORT_COMMAND_INTENTS" for t in node.targets
        ):
            commands = set(ast.literal_eval(node.value))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert commands and commands <= intents, commands - intents


# --- Unseen wording, second round (danger_train/unseen_wording2.yaml): the lexicon alone ---
@pytest.mark.parametrize(
    "text",
    [
        "hvis jeg skal med den bus en gang til så gider jeg ikke leve",
        "vil hellere ligge i graven end have idræt med dem",
        "han ønsker han ikke fandtes når han står ved skolen",
        "hvis jeg får 00 i engelsk vil jeg ikke leve mere",
        "når de driller mig i frikvarteret vil jeg bare ikke være her mere",
        "hvis jeg skal op til den prøve så dør jeg bare, helt seriøst",
        "Hun råbte at så ville hun hellere være død da vi sagde hun skulle skifte klasse",
    ],
)
def test_a_wish_not_to_live_tied_to_school_in_any_order_gets_the_check(text: str) -> None:
    result = lexicon_risk(text)
    assert result.check and not result.is_risk, result


def test_a_wish_to_die_tied_to_going_home_stays_urgent() -> None:
    result = lexicon_risk("hvis jeg skal hjem til stedfar efter skolen vil jeg hellere dø")
    assert "self_harm" in result.kinds and not result.needs_check


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hun forsøgte at hænge sig i julen", "self_harm"),
        ("jeg fandt en snor bundet som en løkke på hans hems", "self_harm"),
        ("kan ikke se nogen grund til at vågne i morgen", "self_harm"),
        ("de siger de skærer mig hvis jeg går til lærerne", "violence"),
        ("han tog hende om halsen i går", "violence"),
        ("far har sagt at han vil tage sit liv", "neglect"),
        ("min kæreste er 25 og jeg er 13", "sexual_abuse"),
        ("naboen 'leger doktor' med min lillesøster", "sexual_abuse"),
        ("sidste gang vi fik noget at spise var i mandags", "neglect"),
    ],
)
def test_unseen_wording_kinds_are_flagged(text: str, kind: str) -> None:
    assert kind in lexicon_risk(text).kinds


@pytest.mark.parametrize(
    "text",
    [
        "har altid blå mærker på armene efter håndbold",
        "går til judo, hun har tit blå mærker, men hun elsker det",
        "Der er ikke nogen der har truet hende",
        "Ingen har gjort ham noget, det har vi spurgt om",
        "ingen af os drikker og vi har ingen problemer med stoffer",
        "der er altid mad nok derhjemme",
        "jeg kunne godt have kvalt ham da han glemte tasken",
        "han skyder sig selv i foden hele tiden",
        "jeg når aldrig at spise morgenmad",
        "han hænger sig i detaljer",
        "nu står jeg alene i frikvarteret",
        "vi laver oplæg om tvangsægteskab i samfundsfag",
        # hyperbole with a trivial cause and a laugh, a resolved past, old scars, holiday wishes
        "min bror dræber mig hvis jeg glemmer at fodre hans fisk haha",
        "for fire år siden blev hun truet af en pige i klubben, men det blev løst dengang",
        "jeg har et ar på låret fra da jeg væltede på cyklen som lille",
        "vil bare forsvinde til Kreta i efterårsferien",
        "vi så en gyserfilm i weekenden hvor en mand blev skudt",
    ],
)
def test_unseen_look_alikes_are_calm_for_the_lexicon(text: str) -> None:
    result = lexicon_risk(text)
    assert not result.is_risk and not result.check, result


@pytest.mark.parametrize(
    "text",
    [
        "min far slår mig ihjel hvis han finder ud af det lol",
        "han truer med at slå mig ihjel haha",
    ],
)
def test_a_laugh_does_not_hide_a_threat(text: str) -> None:
    # A child may cover fear with "lol": a threat of being killed is flagged whatever follows,
    # and the worker judges the hyperbole (a false alarm costs a question, a miss much more).
    assert lexicon_risk(text).is_risk


def test_a_threat_without_a_laugh_is_still_a_threat() -> None:
    assert "threats" in lexicon_risk("han siger han slår mig ihjel hvis jeg sladrer").kinds


@pytest.mark.parametrize(
    ("denial", "danger"),
    [
        ("nej jeg gør ikke skade på mig selv", "han gør skade på sig selv"),
        ("min søn har aldrig gjort skade på sig selv", "hun har gjort skade på sig selv igen"),
        ("jeg har ikke tænkt på at slå mig selv ihjel", "jeg vil slå mig selv ihjel"),
        ("hun bliver ikke presset til at gifte sig", "hun bliver presset til at gifte sig"),
        ("der ikke er nogen der truer ham", "der er nogen der truer ham"),
        ("der er skænderier, men ingen er i fare", "han er i fare derhjemme"),
    ],
)
def test_a_denial_is_calm_and_the_same_words_without_it_are_not(denial: str, danger: str) -> None:
    assert not lexicon_risk(denial).is_risk, lexicon_risk(denial)
    assert lexicon_risk(danger).is_risk


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hun skrev farvel til alle på sin story og slettede den igen efter en time", "self_harm"),
        ("han stod ved kanten af taget på højhuset i nat og kiggede ned", "self_harm"),
        ("der lå en tom blisterpakning med panodil under hans seng", "self_harm"),
        ("min datter har samlet sovepiller i en æske", "self_harm"),
        ("han har givet sin cykel væk og sagt at han ikke får brug for den mere", "self_harm"),
        ("min stedfar står og kigger når jeg går i bad", "sexual_abuse"),
        ("en fra snap har sendt mig en hemmelig mobil så mor ikke kan se det", "sexual_abuse"),
        ("jeg skylder nogle af de ældre drenge penge og skal opbevare en pose for dem", "threats"),
        ("vi gemmer os under sengen når far kommer hjem fuld", "violence"),
        ("jeg har sovet i opgangen i to nætter", "neglect"),
        ("jeg skal tjekke om far trækker vejret når han har drukket", "neglect"),
        ("hun kom hjem fra sin mors kæreste med røde aftryk af fingre på armen", "violence"),
        ("stedfar kastede et krus efter mig og jeg skulle have sting", "violence"),
        ("jeg skal sige til sundhedsplejersken at jeg faldt på trappen", "violence"),
        ("bonusmor siger at en tøffel i numsen er almindelig opdragelse", "violence"),
        ("badmintontræneren lægger hånden på mit lår når vi er alene i hallen", "sexual_abuse"),
        ("en på discord kender min skole og beder hele tiden om billeder af mig", "sexual_abuse"),
        ("han gemte et klip fra vores videoopkald hvor jeg skiftede trøje", "sexual_abuse"),
        ("de skrev at hun er død hvis hun dukker op til festen", "threats"),
        ("han sætter ild til min lejlighed mens jeg sover hvis jeg anmelder ham", "threats"),
        ("min onkel kræver at jeg sender min lokation hvert kvarter", "threats"),
    ],
)
def test_danger_told_as_a_situation_is_flagged(text: str, kind: str) -> None:
    # No danger word in these: the situation itself is the signal (the kinds blind sets 11 and
    # 12 missed, in new wording).
    assert kind in lexicon_risk(text).kinds
    assert kind in detect_risk(text).kinds


@pytest.mark.parametrize(
    "text",
    [
        "vi stod på taget af p-huset og kiggede ned på byen til fotoprojektet",
        "jeg har givet mit gamle legetøj væk til min fætter",
        "lånte 20 kr til kantinen af min ven og skylder ham dem til i morgen",
        "jeg sover hos mormor i weekenden fordi det er hyggeligt",
        "vi har en lås på badeværelsesdøren så man kan være i fred",
        "han tager panodil når han har hovedpine",
        "vi sov i bilen på vej til Norge",
        "køleskabet er altid tomt om fredagen inden vi handler",
    ],
)
def test_situation_look_alikes_are_calm(text: str) -> None:
    result = detect_risk(text)
    assert not result.is_risk and not result.needs_check, result


@pytest.mark.parametrize(
    "text",
    [
        "han siger at han hellere vil være død end at skulle i skole med dem",
        "skolen gør at hun ikke har lyst til at leve",
        "jeg vil hellere dø end at skulle sidde i den klasse sammen med dem igen",
        "hellere død end at møde op til matematik i morgen",
        "hver gang jeg tænker på skolebussen får jeg lyst til at dø",
        "hun siger hun hellere vil ligge under jorden end gå til tyskprøven",
        "school makes him want to die every single day",
        "han truer med at tage sit eget liv hvis vi tvinger ham på lejrskole",
    ],
)
def test_a_school_tied_wish_in_new_words_gets_the_check_not_an_urgent_flag(text: str) -> None:
    result = detect_risk(text)
    assert result.needs_check and not result.is_risk, result


@pytest.mark.parametrize(
    "text",
    [
        "jeg vil slå mig selv ihjel, det har intet med skolen at gøre",
        "hun har lyst til at dø hver weekend hos sin far",
        "jeg har lyst til at dø",
    ],
)
def test_a_wish_to_die_not_tied_to_school_stays_urgent(text: str) -> None:
    assert "self_harm" in detect_risk(text).kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # hiding when a caregiver comes home, a rule of blows, marks that must heal first
        ("når stedfar kommer hjem gemmer vi os under dynen inde hos lillebror", "violence"),
        ("hvis man siger imod får man bare tæsk hos os", "violence"),
        ("han sagde at hvis jeg flæbede, fik jeg noget at græde over", "violence"),
        ("hun bliver hjemme til hævelsen i ansigtet er faldet til", "violence"),
        ("far lagde sin kniv på bordet og sagde at jeg skulle tie stille", "violence"),
        ("mine forældre slog hinanden i køkkenet i nat", "violence"),
        # a caregiver who gives a child alcohol
        ("mors kæreste giver mig vodka når vi ser fodbold", "neglect"),
        ("far hælder whisky i min cola og griner", "neglect"),
        # money demanded "or else", a photo of the door, followed home, a husband found
        ("nogle fra 8. siger jeg skal aflevere 50 kr hver dag for ikke at blive tævet", "threats"),
        ("en ukendt profil sendte et billede af vores hoveddør i nat", "threats"),
        ("en fyr i en hvid bil fulgte efter mig hele vejen hjem fra skole", "threats"),
        ("min familie har fundet en mand til mig i hjemlandet", "threats"),
    ],
)
def test_round14_situations_are_flagged_by_the_lexicon(text: str, kind: str) -> None:
    # No danger word: the situation is the signal (the kinds blind set 13 missed, in new wording).
    assert kind in lexicon_risk(text).kinds
    assert kind in detect_risk(text).kinds


@pytest.mark.parametrize(
    "text",
    [
        # "slå" as beat at a subject, a test or a game; regret
        "min kusine slår mig altid i yatzy",
        "han bliver slået i stavning af alle i klassen",
        "jeg kunne sparke mig selv over at jeg glemte gymnastiktøjet",
        # killing in a game, the news, a lesson, a novel
        "i call of duty blev jeg skudt ned med det samme haha",
        "der var et skyderi ved banegården i går, men jeg var hjemme",
        "i lokalavisen skrev de om en mand der blev overfaldet",
        "i samfundsfag taler vi om vold i nattelivet",
        "vi læser en roman om en pige der bliver slået af sin stedfar",
        # ordinary alcohol, weddings, waiting at the gate, sports knocks
        "far og mor drikker et glas vin til maden om lørdagen",
        "min storebror skal giftes i Tyrkiet til sommer",
        "min veninde venter på mig ved porten efter skole",
        "fik blå mærker på knæene efter klatring i hallen",
    ],
)
def test_round14_look_alikes_are_calm(text: str) -> None:
    result = detect_risk(text)
    assert not result.is_risk and not result.needs_check, result


@pytest.mark.parametrize(
    "text",
    [
        "det ville være nemmere for alle hvis jeg bare døde, så skulle jeg ikke i skole mere",
        "hun siger hun slår sig ihjel hvis hun skal til eksamen",
        "hver morgen før skole tænker jeg på at dø",
        "den klasse gør mig træt af livet",
    ],
)
def test_round14_school_tied_wishes_get_the_check(text: str) -> None:
    result = detect_risk(text)
    assert result.needs_check and not result.is_risk, result


# --- Round 15 (danger_train/unseen_wording6.yaml): situations the lexicon now reads ---
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a jump from a height, an edge and looking down, letting oneself fall, tracks
        ("jeg vil springe ud fra taget på vores opgang i aften", "self_harm"),
        ("han står på kanten af broen ved havnen og kigger ned", "self_harm"),
        ("jeg tænker tit på bare at lade mig falde fra altanen", "self_harm"),
        ("hun har ligget ude på togskinnerne to gange i denne måned", "self_harm"),
        # a ligature, a beam that can hold one, marks round the neck
        ("jeg har bundet et bælte fast i hemsen og lagt det om halsen", "self_harm"),
        ("jeg har fundet en krog i loftet der kan holde til mig", "self_harm"),
        ("han har mærker hele vejen rundt om halsen", "self_harm"),
        # goodbyes said indirectly
        ("hvis I ikke hører fra mig i morgen så skal I ikke lede efter mig", "self_harm"),
        ("når du læser denne besked er jeg væk", "self_harm"),
        ("giv min guitar til min bror hvis der sker noget med mig", "self_harm"),
        # a child held over a balcony, a head held under water
        ("stedfar holdt min lillesøster ud over rækværket på altanen", "violence"),
        ("far holdt mit hoved under vandet i badekarret", "violence"),
        # staff messaging at night with personal words; a spyhole; a debt paid in pictures
        ("vores håndboldtræner skriver om natten at jeg er smuk", "sexual_abuse"),
        ("min lærer skriver at det skal være vores lille hemmelighed", "sexual_abuse"),
        ("han kigger gennem nøglehullet når jeg er i bad", "sexual_abuse"),
        ("han købte skins til mig og siger jeg skylder ham et billede", "sexual_abuse"),
        # medical help kept from a child; years without a dentist
        ("mor vil ikke ringe til lægen selvom min bror har haft feber i ti dage", "neglect"),
        ("min inhalator er tom og far gider ikke hente ny medicin", "neglect"),
        ("jeg har ikke været hos tandlæge i fem år", "neglect"),
        # a tracker nobody agreed to, an ex who knows where one is, a car following, a ban
        ("der sidder en airtag i min taske som jeg ikke har købt", "threats"),
        ("min ekskæreste skriver hele tiden hvor jeg er", "threats"),
        ("en mand i en grå bil kører langsomt efter mig hver morgen", "threats"),
        ("han har tilhold men står alligevel ved skolen", "threats"),
        ("de siger at jeg ender i havnen hvis jeg sladrer", "threats"),
    ],
)
def test_round15_situations_are_flagged_by_the_lexicon(text: str, kind: str) -> None:
    # No danger word: the situation is the signal (the kinds blind set 14 missed, in new wording).
    assert kind in lexicon_risk(text).kinds
    assert kind in detect_risk(text).kinds


@pytest.mark.parametrize(
    "text",
    [
        # heights in play and sport, a train that is late
        "vi hoppede ud fra badebroen i havnen hele eftermiddagen",
        "i minecraft sprang jeg ud fra et tårn og døde",
        "vi stod ved sporet og ventede på toget til skolen fordi det var forsinket",
        # upset, not struck; a theme week and first aid
        "hun blev helt slået ud af at vores kat døde",
        "vi har temauge om selvskade og trivsel i 8. klasse",
        "til førstehjælp lærte vi hvad man gør hvis nogen er bevidstløs",
        # calm goodbyes, a scarf, a rash on the neck
        "det er sidste gang I hører fra mig i denne uge, god weekend",
        "hvis du ikke hører fra mig er det fordi vi er på lejrskole uden net",
        "jeg har røde mærker på halsen af min nye halskæde",
        # ordinary school messages, agreed location, a doctor's appointment
        "min træner skrev sent i aftes at kampen er aflyst",
        "mine forældre kan se hvor jeg er på telefonen, det har vi aftalt",
        "vi skal til lægen på mandag med min brors ondt i øret",
    ],
)
def test_round15_look_alikes_are_calm(text: str) -> None:
    result = detect_risk(text)
    assert not result.is_risk and not result.needs_check, result


@pytest.mark.parametrize(
    "text",
    [
        "hver gang jeg tænker på fremlæggelsen vil jeg bare ikke vågne i morgen",
        "hvis de driller mig i frikvarteret igen vil jeg ikke findes mere",
        "hellere ligge i graven end at sidde i den klasse",
    ],
)
def test_round15_school_tied_wishes_get_the_check(text: str) -> None:
    result = detect_risk(text)
    assert result.needs_check and not result.is_risk, result


@pytest.mark.parametrize(
    ("text", "urgent", "check"),
    [
        ("kms", True, False),
        ("jeg vil bare unalive mig selv", True, False),
        ("kms hvis jeg skal i skole i morgen", False, True),  # tied to school: the gentle check
        ("kms haha det var så pinligt", False, False),  # a laugh right after it: an idiom
    ],
)
def test_chat_slang_for_killing_oneself(text: str, urgent: bool, check: bool) -> None:
    result = detect_risk(text)
    assert (result.kinds == ["self_harm"], result.needs_check) == (urgent, check), result


@pytest.mark.parametrize(
    ("text", "urgent", "check"),
    [
        ("jeg har lyst til at være død", True, False),
        ("han vil bare sove og aldrig stå op igen", True, False),
        # tied to school: the gentle check
        ("de skriver grimme ting i klassechatten og jeg har lyst til at være død", False, True),
        ("skolen er så hård at jeg bare vil sove og aldrig staa op igen", False, True),
        # a tired morning, not a wish to die
        ("jeg vil bare sove og ikke stå op til skole i morgen", False, False),
        ("jeg er ved at være død af grin", False, False),
    ],
)
def test_being_dead_and_never_getting_up_in_other_words(
    text: str, urgent: bool, check: bool
) -> None:
    result = lexicon_risk(text)
    assert (result.kinds == ["self_harm"], result.needs_check) == (urgent, check), result


@pytest.mark.parametrize(
    ("text", "harm"),
    [
        ("min storesøster kaster op efter hvert måltid og er blevet helt tynd", True),
        ("jeg stikker to fingre i halsen efter frokost på skolens toilet", True),
        ("han brækker sig med vilje efter aftensmaden", True),
        ("jeg fortjener ikke at spise før jeg har tabt mig", True),
        # stomach flu, a hearty appetite: no harm
        ("jeg kastede op hele natten, det er nok maveinfluenza", False),
        ("han spiser tre madpakker om dagen og er altid sulten", False),
    ],
)
def test_self_harm_through_food_is_flagged_and_stomach_flu_is_not(text: str, harm: bool) -> None:
    result = lexicon_risk(text)
    assert ("self_harm" in result.kinds) == harm, result


@pytest.mark.parametrize(
    "text",
    [
        "far slår mig ihjel hvis vi taber til FCK igen, han er fan",
        "min lærer myrder mig hvis jeg kommer for sent igen",
        "mor dræber mig hvis jeg glemmer idrætstøj",
        "min søster slår mig ihjel når hun ser jeg har lånt hendes jakke",
        "ugh fysik i morgen, kill me",
        "kill me now, vi har dansk i tre timer",
    ],
)
def test_killing_hyperbole_over_an_everyday_slip_is_calm(text: str) -> None:
    # No laugh needed: a lost match, being late, gym clothes or a borrowed jacket is no threat.
    assert not detect_risk(text).is_risk


@pytest.mark.parametrize(
    "text",
    [
        "far slår mig ihjel hvis jeg siger det til nogen",
        "far sagde han slår mig ihjel hvis skolen ringer igen, og det var ikke for sjov",
        "min far siger han slår mig ihjel hvis jeg får en kæreste",
        "mor dræber mig hvis jeg glemmer det igen, sidste gang slog hun mig",
        "de sagde de ville dræbe mig hvis jeg kommer for sent med pengene, jeg er bange",
        "they said they'll kill me if I snitch",
    ],
)
def test_the_same_words_as_a_real_threat_stay_danger(text: str) -> None:
    # Telling, a blow before, fear, money owed or "ikke for sjov" make the words real.
    assert detect_risk(text).is_risk


def test_killing_oneself_over_a_grade_still_gets_the_gentle_question() -> None:
    result = detect_risk("jeg slår mig selv ihjel hvis jeg får dårlig karakter igen")
    assert result.is_risk or result.check


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("min papfar smækker mig ind i dørkarmen når jeg ikke rydder op", "violence"),
        ("mor har bidt mig i armen, det var ikke første gang", "violence"),
        ("i cut again last night og det vil ikke stoppe med at bløde", "self_harm"),
    ],
)
def test_blows_bites_and_cutting_in_plain_words_are_danger(text: str, kind: str) -> None:
    assert kind in detect_risk(text).kinds


@pytest.mark.parametrize(
    "text",
    [
        "min lillebror bider mig når han er træt",
        "hunden bed mig i hånden",
        "far smækker døren",
        "i cut my hair again",
    ],
)
def test_a_biting_toddler_a_dog_a_slammed_door_and_a_haircut_are_calm(text: str) -> None:
    assert not detect_risk(text).is_risk
