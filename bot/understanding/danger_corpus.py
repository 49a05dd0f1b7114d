"""The labelled danger/calm sets (eval/risk_*.yaml) as typed items, for training and evaluation.

Which sets the shipped danger model learns from is fixed here (`TRAINING_SETS`), not taken from
a glob: a new set dropped into eval/ to be measured must never be learned from by accident.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
# The harms the trained model learns (its labels, with CHECK).
KINDS: tuple[str, ...] = ("self_harm", "violence", "sexual_abuse", "neglect", "threats")
# Not safe right now, no harm named ("jeg er ikke i sikkerhed"): the lexicon's and DIET's
# (intent not_safe), never the model's. A set's item labelled only with it teaches the model
# that such words are none of its harms. Learnt as a kind of its own, the model caught 9 more of
# blind set 16's danger messages, but read ordinary answers as acute danger ("han har brug for
# hjælp i dansk" p = 0.90, "jeg har brug for hjælp til matematik"), whose reply is "Ring 112
# nu"; DIET's not_safe had caught those 9 in the running chat already, so it is not learnt.
ACUTE_DANGER = "acute_danger"
CHECK = "check"  # label of a wish to die tied to school: a gentle question, no urgent flag
LABELS: tuple[str, ...] = (*KINDS, CHECK)
TRAINING_SETS: tuple[str, ...] = (
    "risk_eval.yaml",
    "risk_heldout.yaml",
    "risk_dev.yaml",
    "risk_fresh.yaml",
    "risk_categories.yaml",
    "risk_fresh2.yaml",
    "risk_fresh3.yaml",
    "risk_fresh4.yaml",
    "risk_fresh5.yaml",
    # Written for training by four independent writers (young pupils, teens, parents,
    # indirect wording and hard calm negatives); first run of the detector before it learnt
    # from them: reports/danger_fresh_runs.md.
    "danger_train/pupils_young.yaml",
    "danger_train/pupils_teen.yaml",
    "danger_train/parents.yaml",
    "danger_train/indirect_and_calm.yaml",
    "danger_train/calm_behaviour.yaml",
    # Ordinary home descriptions ("det er kun mig og min mor") beside neglect in near words;
    # first run in reports/danger_fresh_runs.md.
    "danger_train/calm_home.yaml",
    # Unseen wording in the categories weakest on unseen sets (self-harm seen by others,
    # indirect self-harm, the gentle check, no adult at home, others' violence at home,
    # psychiatric crisis and substance abuse at home, criminal exploitation, honour-related
    # control) and look-alike calm (idioms, denials, sport, games); first run in
    # reports/danger_fresh_runs.md.
    "danger_train/unseen_wording.yaml",
    # The kinds that failed on blind sets 9 and 10 (a wish not to live tied to school in any
    # word order, goodbyes and plans, attempts told in passing, threats of bodily harm, hands
    # round the throat, adults' "games", partners far older, a parent's own suicidality) and the
    # false-alarm kinds (sport injuries in any order, denials, hyperbole with a laugh, skipped
    # meals, calm goodbyes); first run in reports/danger_fresh_runs.md.
    "danger_train/unseen_wording2.yaml",
    # Danger told as a situation without danger words (farewells posted and deleted, standing
    # high up looking down, missing painkillers, giving things away, an adult watching a child
    # bathe, a second phone from an online "friend", debts and errands for older youths, hiding
    # from someone at home, locked out, a parent too drunk or psychotic to care) and look-alike
    # calm (roofs and footballs, old toys given away, money for the canteen, a bathroom lock);
    # first run 106/182 = 58.2 % recall, 9/170 = 5.3 % false alarms: reports/danger_fresh_runs.md.
    "danger_train/unseen_wording3.yaml",
    # The kinds blind set 12 missed, in new wording: school-tied wishes to die or disappear in
    # any word order (the gentle check) beside wishes not tied to school, violence told as a
    # situation (marks shaped like a hand or an object, cover stories, "normal upbringing"),
    # abuse by coaches, teachers, neighbours and online (pictures asked for by someone who knows
    # the school, recorded on a video call, sold in groups), threats (a school attack, fire,
    # tracking, disowning) and look-alike calm (killing hyperbole with a laugh, resolved past,
    # films, old scars, holiday wishes); first run 75/152 = 49.3 % recall, 21/152 = 13.8 %
    # false alarms: reports/danger_fresh_runs.md.
    "danger_train/unseen_wording4.yaml",
    # The kinds blind set 13 missed, in new wording: violence told as a situation (hiding when
    # a parent comes home, escape signals, burns, a weapon shown, punishment rules, a face that
    # must heal first), threats and extortion by older pupils, gangs, exes and strangers online,
    # blackmail with videos and passwords, stalking, neglect written like an SMS and being
    # thrown out, a parent giving the child alcohol, a marriage planned on a trip, grooming by
    # gifts and phones, school-tied wishes; look-alike calm (games, "slå" as beat, hyperbole,
    # news about stabbings, history lessons, resolved past); first run 97/150 = 64.7 % recall,
    # 18/153 = 11.8 % false alarms: reports/danger_fresh_runs.md.
    "danger_train/unseen_wording5.yaml",
    # The kinds blind set 14 missed, in new wording: goodbyes said indirectly, places to jump
    # from, ligatures, a child held over a balcony, staff messaging at night, trackers, bath
    # photos by relatives, grooming by debts and game currency, medical neglect, a parent who
    # cannot cope, danger buried in long messages, two kinds in one message, school-tied wishes;
    # look-alike calm (killing hyperbole, "slået ud af", theme weeks and first aid, heights in
    # sport, agreed location sharing, family bath photos, small debts, long calm messages);
    # first run 105/165 = 63.6 % recall, 16/154 = 10.4 % false alarms:
    # reports/danger_fresh_runs.md.
    "danger_train/unseen_wording6.yaml",
    # The kinds blind set 17 missed, in new wording: a baby shaken, burns from an iron or a
    # stove, locked in or tied up, food taken as punishment, adults' "relationships" with
    # 12-15-year-olds, babysitters and coaches wanting baths or a shared bed, pictures for game
    # currency, medicine never collected, runners paying off debts, honour-related control,
    # indirect self-harm, school-tied wishes; look-alike calm (accidents at the stove, same-age
    # couples, bedtime stories, errands for pocket money, confiscated phones); first run
    # 105/161 = 65.2 % recall, 7/151 = 4.6 % false alarms: reports/danger_fresh_runs.md.
    "danger_train/unseen_wording7.yaml",
    # The kinds blind set 18 missed, in new wording: eating disorders (starving, purging,
    # laxatives, fainting, told by the child, a parent or a friend), illness and injury left
    # untreated at home (teeth, fractures, lice, asthma, epilepsy and insulin medicine), sexual
    # pressure from peers and adults outside the family (groping in corridors, pictures sold,
    # parties, drivers, coaches), acute danger told as a situation, hidden self-harm
    # ("fortjener at have ondt"); look-alike calm (diets and sport, treated illness, same-age
    # crushes, killing hyperbole, a resolved past, strict rules); first run 59/124 = 47.6 %
    # recall, 19/133 = 14.3 % false alarms (four calm sign-offs were added after it):
    # reports/danger_fresh_runs.md.
    "danger_train/unseen_wording8.yaml",
    # The kinds blind sets 14-18 still missed, in new wording: the same killing words as a real
    # threat (against telling, with a knife, against a pet or a sibling) and as hyperbole;
    # violence from adults who are not parents (teachers, coaches, step-fathers, uncles, the
    # mother's boyfriend); babies and small siblings shaken, hit, left alone or locked in;
    # honour-related threats from the extended family; pictures and videos to unknown profiles
    # online; look-alike calm (strict teachers, crying babies, religious rules, gaming friends,
    # online-safety lessons); first run 64/130 = 49.2 % recall, 23/140 = 16.4 % false alarms
    # (three calm texts equal to other sets' were dropped after it): reports/danger_fresh_runs.md.
    "danger_train/unseen_wording9.yaml",
    # The kinds blind set 19 missed, in new wording: suicide preparation and means (pills saved
    # up, a rope, chlorine, goodbye letters, a chosen date), self-harm and goodbyes among peers
    # and online, sexual abuse told as a story without the words, grooming by adult
    # "boyfriends", child labour (unpaid nights, a passport taken, a debt for the journey),
    # threats and beatings from young people; look-alike calm (prescribed pills, climbing
    # ropes, pools, poems for Danish class, paid jobs, same-age couples, fights the school
    # handled); first run 57/140 = 40.7 % recall, 8/140 = 5.7 % false alarms:
    # reports/danger_fresh_runs.md.
    "danger_train/unseen_wording10.yaml",
    # The kinds the issue names that earlier rounds wrote least about, in new wording and
    # without the keywords: a parent's drinking, drugs or psychiatric crisis, neglect (no food,
    # no adult, no bed), violence from any adult in the household, signs of self-harm seen by
    # others, honour-related control, acute danger told as a situation, danger buried in a long
    # answer about school; look-alike calm (parents ill but coping, sleepovers, kind
    # grandfathers, eczema sleeves, accepted religious rules, long ordinary answers); first run
    # 90/151 = 59.6 % recall, 8/151 = 5.3 % false alarms. Learnt, it moved blind sets 14-20 by
    # one message here and there (set 20 in the chat +2, three calm alarms more on three sets):
    # inside the noise, kept for the kinds it covers. reports/danger_fresh_runs.md.
    "danger_train/unseen_wording11.yaml",
    # Twelfth round, written from blind set 21's misses and false alarms (means and plans told
    # indirectly, eating disorders told through signs, a parent's mild or confessed harm, danger
    # asked as a question, threats from outside, exploitation and extremism; hyperbole taken
    # back, dark themes in books and essays, old handled events, strict but kind parents); first
    # run 56/150 = 37.3 % recall, 22/150 = 14.7 % false alarms. reports/danger_fresh_runs.md.
    "danger_train/unseen_wording12.yaml",
    # Thirteenth round, written from blind set 22's misses and false alarms (thoughts of death
    # told vaguely or in English, attempts told in passing, purging, punishment with a belt as
    # routine, peer violence not called bullying, a "special game", parents away all weekend,
    # radicalisation and school-attack plans, acute situations; idioms, school lessons about
    # dark themes, a past that is over, accidents, family weddings abroad); first run 82/150 =
    # 54.7 % recall, 20/150 = 13.3 % false alarms. reports/danger_fresh_runs.md.
    "danger_train/unseen_wording13.yaml",
    # Fourteenth round, written from blind set 23's misses and false alarms (goodbye notes found
    # by a parent, suicide means as facts or questions, punishment with a belt told through its
    # signs, harassment at school that adults dismiss, no bedding after a move, a child held at a
    # party or in a flat right now, unsure safety at home; subjects that "kill me", school work on
    # dark themes, scars, a past that is over, pranks); first run 66/150 = 44.0 % recall,
    # 21/150 = 14.0 % false alarms. reports/danger_fresh_runs.md.
    "danger_train/unseen_wording14.yaml",
    # Fifteenth round, written from blind set 24's misses and false alarms (suicidal intent
    # buried in a long calm answer or seen by a sibling, a grandparent, a neighbour or a coach,
    # means asked as questions, hidden injuries explained away, groping and sextortion, an
    # inhaler left empty, a wedding planned for a 16-year-old, a child out tonight with nowhere
    # to go; a quarter in English; hyperbole with "lol", old handled events, games, weddings,
    # ordinary rules); first run 106/200 = 53.0 % recall, 10/170 = 5.9 % false alarms (one text
    # equal to blind set 25's was dropped before it was learnt). reports/danger_fresh_runs.md.
    "danger_train/unseen_wording15.yaml",
    # Sixteenth round, written from blind set 25's misses and false alarms (eating disorders
    # with physical danger, violence against a baby or toddler seen by a sibling, image-based
    # abuse, a place and a time instead of a suicidal word, self-harm in emojis and slang or as
    # marks too straight for the excuse, passive wishes to be gone; violent hyperbole, a past
    # that is treated and over, lessons on drugs, first aid and rape in literature, small
    # mishaps, resolved friend drama); first run 108/204 = 52.9 % recall, 32/169 = 18.9 %
    # false alarms. reports/danger_fresh_runs.md.
    "danger_train/unseen_wording16.yaml",
    # Blind sets 6-13 (eight writers who never read the detector), learnt from once their first
    # runs were recorded (reports/danger_fresh_runs.md). Measured on blind sets 14-16 before the
    # change: recall 81.2 -> 82.2 %, false alarms 4.7 -> 3.8 %.
    *(f"danger_train/risk_fresh{n}.yaml" for n in range(6, 14)),
)


@dataclass(frozen=True)
class DangerItem:
    text: str
    labels: frozenset[str]  # empty = calm; kinds, or {"check"} for a check message
    category: str  # finer category (or the kind, or "calm") for reports
    source: str  # the set's file name


@functools.lru_cache(maxsize=32)
def load_set(path: Path) -> tuple[DangerItem, ...]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_LOADER) or {}  # nosec B506 - _LOADER is a SafeLoader
    # The set's name as TRAINING_SETS gives it ("danger_train/parents.yaml").
    source = str(path.relative_to(EVAL_DIR)) if path.is_relative_to(EVAL_DIR) else path.name
    items = []
    for row in raw.get("risk") or []:
        if row.get("check"):
            labels = frozenset({CHECK})
        else:
            labels = frozenset(row.get("kinds") or [])
            if not labels or not labels <= {*KINDS, ACUTE_DANGER}:
                raise ValueError(f"{path.name}: bad kinds {row.get('kinds')} for {row['text']!r}")
        category = row.get("category") or ("check" if row.get("check") else sorted(labels)[0])
        items.append(DangerItem(str(row["text"]), labels, category, source))
    for row in raw.get("calm") or []:
        items.append(DangerItem(str(row["text"]), frozenset(), "calm", source))
    return tuple(items)


# The area corpus's parts the danger model learns as calm. The two later parts (train_teens,
# train_parents2) are left out: their writers were asked for realistic answers and wrote some
# with danger in them labelled only by area ("hellere vil dø", cuts on the arms, "ingen vil
# savne ham"); learnt as calm with the others, they cost the detector 1-4 danger messages on
# four of blind sets 14-20 (set 15 82.2 -> 79.9 %) and spared no false alarm.
CALM_INTAKE_PARTS = ("train", "dev", "train_parents", "train_pupils", "train_mixed")


def intake_answers() -> tuple[DangerItem, ...]:
    """Realistic answers to the intake's free-text questions (the area corpus's train and dev
    parts; its frozen test part is never learned from), as calm examples: they teach the model
    how ordinary intake answers sound ("fysik og kemi giver ingen mening for mig"). They are not
    labelled for danger, so the caller drops those the lexicon flags (`danger_model.training_data`).
    """
    from bot.understanding.corpus import load_part

    return tuple(
        DangerItem(item.text, frozenset(), "calm", f"areas/{part}.yaml")
        for part in CALM_INTAKE_PARTS
        for item in load_part(part)
    )


# Intents of the chat itself (data/nlu.yml) whose examples are never danger: what a person says
# to steer the conversation ("slet mine svar", "pause", "hvem læser det?"), and the answers,
# chatter and insults written as examples of inform, out_of_scope and insult (an answer in the
# chat can carry danger, but these examples were written as ordinary answers). The danger model
# learns them as calm, so a command is never read as danger because it shares letters with a
# danger word ("slet" and "slå"), and a short answer is not read as danger because of one word
# the danger sets use ("jeg er alene med børnene", "hvor mange dage er der til jul": 12 of
# 1,189 such examples were flagged before, 0.6 % with the older sets). not_safe and the risk
# intents are not among them. Examples the lexicon flags are left out (danger_model).
CALM_INTENTS: frozenset[str] = frozenset(
    {
        "inform",
        "out_of_scope",
        "insult",
        "greet",
        "affirm",
        "deny",
        "choose_role",
        "have_code",
        "resume",
        "pause",
        "correct",
        "delete_data",
        "thanks",
        "faq_who_reads",
        "faq_storage",
        "faq_what_next",
        "faq_municipality",
        "faq_is_human",
        "faq_talk_to_person",
    }
)
NLU_DATA = Path(__file__).resolve().parents[2] / "data" / "nlu.yml"


def _chat_examples(intents: frozenset[str], labels: frozenset[str], path: Path) -> list[DangerItem]:
    """The examples of `intents` in the NLU data as items with `labels` (entity markup removed)."""
    if not path.exists():
        return []
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # nosec B506 - SafeLoader
    items = []
    for block in raw.get("nlu") or []:
        if block.get("intent") not in intents:
            continue
        category = sorted(labels)[0] if labels else "calm"
        for line in str(block.get("examples") or "").splitlines():
            text = line.strip().removeprefix("- ").strip()
            if text and not text.startswith("/"):
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", text)
                items.append(DangerItem(text, labels, category, f"nlu/{block['intent']}"))
    return items


def calm_chat_examples(path: Path = NLU_DATA) -> tuple[DangerItem, ...]:
    """The examples of CALM_INTENTS in the NLU data, as calm items."""
    return tuple(_chat_examples(CALM_INTENTS, frozenset(), path))


def unsafe_chat_examples(path: Path = NLU_DATA) -> tuple[DangerItem, ...]:
    """The examples of the intent not_safe ("send en voksen nu", "han står lige bag mig") as
    acute danger: none of the model's harms. Learnt as such, the model stopped giving 17 of the
    336 a harm nobody named (sexual abuse for "send en voksen nu", from "voksen")."""
    return tuple(_chat_examples(frozenset({"not_safe"}), frozenset({ACUTE_DANGER}), path))


def training_items(
    exclude: frozenset[str] = frozenset(), sets: tuple[str, ...] = TRAINING_SETS
) -> tuple[DangerItem, ...]:
    """Items of the training sets, without the sets named in `exclude` (leave-one-set-out)."""
    return tuple(item for name in sets if name not in exclude for item in load_set(EVAL_DIR / name))
