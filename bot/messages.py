"""Danish texts the action server sends, each with a parent and a pupil wording.

Questions live in questionnaire.yaml and fixed replies in domain.yml (Rasa responses); what is
here depends on stored data (codes, sagsnummer, school contact) and so is composed in code.
"""

from __future__ import annotations

from bot.questionnaire import role_key

_TEXTS: dict[str, dict[str, str]] = {
    "welcome_back": {
        "parent": "Velkommen tilbage. Vi fortsætter, hvor vi slap. Dine svar er gemt.",
        "pupil": "Hej igen! Vi går videre, hvor vi slap.",
    },
    "consent_thanks": {
        "parent": "Tak. Jeg har noteret dit ja. Du kan altid trække det tilbage.",
        "pupil": "Tak! Du kan altid fortryde.",
    },
    "role_parent": {
        "parent": "Godt. Jeg spørger om dit barn. Der er omkring 35 korte spørgsmål.",
        "pupil": "Godt. Jeg spørger om dit barn.",
    },
    "role_pupil": {
        "parent": "Godt. Spørgsmålene er til dig som elev.",
        "pupil": "Godt. Jeg spørger om dig. Det er korte spørgsmål. Du kan altid skrive ved ikke.",
    },
    "ask_code": {
        "parent": "Skriv koden, du har fået af skolens kontaktperson.",
        "pupil": "Skriv din kode. Du har fået den af din kontaktperson.",
    },
    "code_ok_invitation": {
        "parent": "Tak. Koden passer. Dine svar bliver lagt sammen med sagen.",
        "pupil": "Tak! Koden virker.",
    },
    "code_ok_resume": {
        "parent": "Tak. Jeg har fundet dine svar. Vi fortsætter, hvor du slap.",
        "pupil": "Tak! Jeg har fundet dine svar.",
    },
    "code_unknown": {
        "parent": "Den kode kender jeg ikke, eller den er udløbet. Tjek koden, eller start forfra.",
        "pupil": "Den kode virker ikke. Spørg din kontaktperson. Eller start uden kode.",
    },
    "paused": {
        "parent": "Dine svar er gemt. Du kan fortsætte senere i denne browser ved at skrive "
        '"fortsæt". Fra en anden enhed skal du bruge koden {code}.',
        "pupil": 'Dine svar er gemt. Skriv "fortsæt", når du vil videre. Din kode er {code}.',
    },
    "paused_no_consent": {
        "parent": "Ok. Jeg har ikke gemt noget endnu. Skriv hej, når du vil begynde.",
        "pupil": "Ok. Jeg har ikke gemt noget. Skriv hej, når du vil.",
    },
    "deleted": {
        "parent": "Dine svar er slettet. Skriv hej, hvis du vil starte forfra.",
        "pupil": "Dine svar er slettet. Skriv hej, hvis du vil starte igen.",
    },
    "review_intro": {
        "parent": "Tak for alle dine svar.",
        "pupil": "Tak for dine svar!",
    },
    "review_question": {
        "parent": "Er det rigtigt? Du kan rette et svar, før du sender.",
        "pupil": "Er det rigtigt? Du kan rette noget først.",
    },
    "confirmed": {
        "parent": "Tak. Det er sendt. Jeres sagsnummer er {reference}. Skolens kontaktperson "
        "kontakter jer inden for {days}. Gem gerne sagsnummeret.",
        "pupil": "Tak! Det er sendt. Dit nummer er {reference}. Din kontaktperson taler med dig "
        "inden for {days}.",
    },
    "correct_which": {
        "parent": "Hvad vil du rette?",
        "pupil": "Hvad vil du rette?",
    },
    "correct_start": {
        "parent": "Ok, vi retter det om {what}.",
        "pupil": "Ok, vi retter {what}.",
    },
    "nothing_to_correct": {
        "parent": "Der er ikke noget at rette endnu. Skriv hej for at begynde.",
        "pupil": "Der er ikke noget at rette endnu.",
    },
    "not_understood": {
        "parent": "Det forstod jeg ikke helt. Prøv at skrive det på en anden måde.",
        "pupil": "Det forstod jeg ikke. Prøv med andre ord.",
    },
    "not_understood_again": {
        "parent": "Jeg forstår det stadig ikke. Vælg en af knapperne, så kommer vi videre.",
        "pupil": "Jeg forstår det ikke. Tryk på en knap.",
    },
    "off_topic_in_question": {
        "parent": "Det kan jeg ikke svare på her. Lad os tage spørgsmålet igen.",
        "pupil": "Det kan jeg ikke svare på. Prøv spørgsmålet igen.",
    },
    "school_contact": {
        "parent": "Du kan altid ringe eller skrive til skolen: {school}, {contact}. Bed om "
        "skolens kontaktperson for fravær.",
        "pupil": "Du kan tale med en voksen på skolen. {school}: {contact}.",
    },
    "school_contact_unknown": {
        "parent": "Ring til dit barns skole og bed om at tale med skolens kontaktperson for "
        "fravær. Du kan også ringe til kommunen.",
        "pupil": "Gå hen til en lærer, du kan lide. Eller spørg på kontoret.",
    },
    "urgent_flagged": {
        "parent": "Jeg har markeret sagen som hastende. Kontaktpersonen får besked nu.",
        "pupil": "Jeg siger det til din kontaktperson nu.",
    },
    "consent_needed": {
        "parent": "Før vi fortsætter, skal jeg have dit ja til, at svarene må gemmes.",
        "pupil": "Før vi går videre, skal du sige ja til, at jeg må gemme dine svar.",
    },
    "done_already": {
        "parent": "Dine svar er sendt. Sagsnummeret er {reference}.",
        "pupil": "Dine svar er sendt. Dit nummer er {reference}.",
    },
    "store_unavailable": {
        "parent": "Jeg kan ikke gemme lige nu på grund af en teknisk fejl. Dine tidligere svar "
        "er gemt. Prøv igen om lidt.",
        "pupil": "Noget virker ikke lige nu. Dine svar er gemt. Prøv igen om lidt.",
    },
}


def text(key: str, role: str | None, **values: object) -> str:
    """The message `key` in the wording for `role` (parent wording when role is unknown)."""
    variant = "parent"
    if role:
        try:
            variant = role_key(role)
        except ValueError:
            variant = "parent"
    template = _TEXTS[key][variant]
    return template.format(**values) if values else template


def all_texts() -> list[tuple[str, str, str]]:
    """(key, variant, text) for every message; the readability test walks these."""
    return [(key, variant, t) for key, v in _TEXTS.items() for variant, t in v.items()]
