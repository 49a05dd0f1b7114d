"""Danish texts the action server sends, each with a parent and a pupil wording.

Questions live in questionnaire.yaml and fixed replies in domain.yml (Rasa responses); what is
here depends on stored data (codes, sagsnummer, school contact) or makes a promise whose number
comes from the settings (days kept, contact within, consent age), so it is composed in code.
"""

from __future__ import annotations

from bot.config import get_settings
from bot.danish import plural
from bot.questionnaire import role_key

_TEXTS: dict[str, dict[str, str]] = {
    # --- Opening: a neutral hello (the role is not known yet), then the role's own greeting.
    "hello": {
        "parent": "Hej, jeg hedder Skolebro. Jeg er en automatisk assistent, ikke et menneske. "
        "Jeg hjælper, når det er svært at komme i skole.\nHvem er du?",
        "pupil": "Hej, jeg hedder Skolebro. Jeg er en robot, ikke et menneske. "
        "Jeg hjælper, når det er svært at komme i skole.\nHvem er du?",
    },
    "disclosure": {
        "parent": "Hej, jeg hedder Skolebro. Jeg er en automatisk assistent. Jeg er ikke et "
        "menneske. Jeg er her for at hjælpe dig.",
        "pupil": "Jeg hedder Skolebro. Jeg er en robot, ikke et menneske.",
    },
    "ask_role_again": {
        "parent": "Vælg en af knapperne, så jeg ved, hvem jeg taler med.",
        "pupil": "Tryk på en knap, så jeg ved, hvem du er.",
    },
    "greet_role": {
        "parent": "Godt. Jeg spørger om, hvad der gør skolen svær for dit barn.\nSvarene går til "
        "skolekontaktpersonen. Det er den voksne fra kommunen, som hjælper børn med fravær.",
        "pupil": "Hej! Jeg er en robot. Jeg er ikke et menneske.\nJeg spørger om, hvad der gør "
        "skolen svær for dig. Du kan altid skrive ved ikke. Du kan stoppe når som helst.",
    },
    "ask_age": {
        "parent": "Hvor gammel er eleven? Skriv alderen eller klassen.",
        "pupil": "Hvor gammel er du? Tryk på en knap. Du kan også skrive din klasse.",
    },
    "age_unclear": {
        "parent": "Skriv alderen som et tal, fx 13, eller klassen, fx 7. klasse.",
        "pupil": "Skriv din alder som et tal, fx 12. Eller tryk på en knap.",
    },
    # --- Consent: written for the person and, for pupils, the age. Numbers from the settings.
    "consent": {
        "parent": "Før vi begynder:\nDine svar bliver gemt, mens du skriver. Du kan slette dem "
        "når som helst.\nSender du ikke svarene, slettes de efter {unfinished_days}. Når sagen "
        "er lukket, slettes de efter {retention_days}.\nSkolekontaktpersonen kontakter jer "
        "inden for {contact_days}.\nEr et barn i fare eller har brug for særlig hjælp, skal "
        "kommunen handle. Det gælder også uden dit ja. Det kaldes underretningspligt.\nMå jeg "
        "gemme dine svar og sende dem til skolekontaktpersonen? Du kan altid trække dit ja "
        "tilbage.",
        "pupil": "Du er {age} år eller mere. Så bestemmer du selv.\nDine svar bliver gemt, mens "
        "du skriver. Du kan slette dem.\nSender du dem ikke, slettes de efter "
        "{unfinished_days}. Når din sag er slut, slettes de efter {retention_days}.\nDine svar "
        "går til skolekontaktpersonen. Det er en voksen fra kommunen. Hun eller han taler med "
        "dig inden for {contact_days}.\nEr en voksen bange for, at du ikke er i sikkerhed, skal "
        "hun sige det til kommunen. Også hvis du siger nej.\nMå jeg gemme dine svar og give dem "
        "videre?",
    },
    "consent_young": {
        "parent": "Eleven er under {age} år. Skolekontaktpersonen taler også med forældrene, før "
        "noget deles.",
        "pupil": "Du må gerne fortælle mig, hvad der er svært.\nDu er under {age} år. Derfor "
        "taler skolekontaktpersonen også med dine forældre. Det sker, før dine svar bliver vist "
        "til andre.\nDine svar bliver gemt, mens du skriver. Du kan slette dem.\nSender du dem "
        "ikke, slettes de efter {unfinished_days}. Når din sag er slut, slettes de efter "
        "{retention_days}.\nSkolekontaktpersonen er en voksen fra kommunen. Hun eller han taler "
        "med dig inden for {contact_days}.\nEr en voksen bange for, at du ikke er i sikkerhed, "
        "skal hun sige det til kommunen. Også hvis du siger nej.\nMå jeg gemme dine svar og "
        "give dem til skolekontaktpersonen?",
    },
    "consent_thanks": {
        "parent": "Tak. Jeg har noteret dit ja. Du kan altid trække det tilbage.",
        "pupil": "Tak! Du kan altid fortryde.",
    },
    "start_parent": {
        "parent": "Jeg spørger om dit barn. Der er omkring {count} korte spørgsmål.",
        "pupil": "Jeg spørger om dit barn.",
    },
    "start_pupil": {
        "parent": "Spørgsmålene er til dig som elev.",
        "pupil": "Nu kommer korte spørgsmål om dig. Du kan altid skrive ved ikke.",
    },
    "welcome_back": {
        "parent": "Velkommen tilbage. Vi fortsætter, hvor vi slap. Dine svar er gemt.",
        "pupil": "Hej igen! Vi går videre, hvor vi slap.",
    },
    "ask_code": {
        "parent": "Skriv koden, du har fået af skolekontaktpersonen.",
        "pupil": "Skriv din kode. Du har fået den af skolekontaktpersonen.",
    },
    "code_ok_invitation": {
        "parent": "Tak. Koden passer. Dine svar bliver lagt sammen med sagen.",
        "pupil": "Tak! Koden virker. Jeg ved allerede, hvilken skole du går på.",
    },
    "code_ok_resume": {
        "parent": "Tak. Jeg har fundet dine svar. Vi fortsætter, hvor du slap.",
        "pupil": "Tak! Jeg har fundet dine svar.",
    },
    "code_unknown": {
        "parent": "Den kode kender jeg ikke, eller den er udløbet. Tjek koden, eller start forfra.",
        "pupil": "Den kode virker ikke. Spørg skolekontaktpersonen. Eller start uden kode.",
    },
    "paused": {
        "parent": "Dine svar er gemt. Du kan fortsætte senere i denne browser ved at skrive "
        '"fortsæt". Fra en anden enhed skal du bruge koden {code}.',
        "pupil": 'Dine svar er gemt. Skriv "fortsæt", når du vil videre. Din kode er {code}.',
    },
    "goodbye_done": {
        "parent": "Tak for nu. Dine svar er sendt til skolekontaktpersonen.",
        "pupil": "Tak for nu! Dine svar er sendt.",
    },
    "paused_no_consent": {
        "parent": "Ok. Jeg har ikke gemt noget endnu. Skriv hej, når du vil begynde.",
        "pupil": "Ok. Jeg har ikke gemt noget. Skriv hej, når du vil.",
    },
    "consent_declined": {
        "parent": "Det er helt i orden. Jeg har ikke gemt noget.\nDu kan i stedet kontakte "
        'skolen og bede om at tale med skolekontaktpersonen. Skriv "hej", hvis du vil starte '
        "forfra senere.",
        "pupil": "Det er helt ok. Jeg har ikke gemt noget.\nDu kan ringe eller chatte med "
        "BørneTelefonen på 116 111. Det er gratis.\nDu kan også tale med en voksen på skolen.",
    },
    "deleted": {
        "parent": "Dine svar er slettet. Skriv hej, hvis du vil starte forfra.",
        "pupil": "Dine svar er slettet. Skriv hej, hvis du vil starte igen.",
    },
    "review_intro": {
        "parent": "Tak for alle dine svar.",
        "pupil": "Tak for dine svar!",
    },
    # A chat continued with a resume code: earlier answers are kept but never shown again.
    "review_earlier_hidden": {
        "parent": "Du har {count} svar fra før. De er gemt og bliver sendt med. For at passe på "
        "barnet viser jeg dem ikke her. Vil du rette et af dem, så tryk på Ret et svar og svar "
        "igen.",
        "pupil": "Du har {count} svar fra før. De er gemt og bliver sendt med. Jeg viser dem "
        "ikke her, så ingen andre kan se dem. Vil du rette et, så tryk på Ret et svar.",
    },
    "review_question": {
        "parent": "Er det rigtigt? Du kan rette et svar, før du sender.",
        "pupil": "Er det rigtigt? Du kan rette noget først.",
    },
    "confirmed": {
        "parent": "Tak. Det er sendt. Jeres sagsnummer er {reference}. Skolekontaktpersonen "
        "kontakter jer inden for {contact_days}. Gem gerne sagsnummeret.",
        "pupil": "Tak! Det er sendt. Dit nummer er {reference}. Skolekontaktpersonen taler med "
        "dig inden for {contact_days}.",
    },
    "confirmed_parents": {
        "parent": "Eleven er under {age} år. Derfor taler skolekontaktpersonen også med "
        "forældrene.",
        "pupil": "Husk: Du er under {age} år. Så taler den voksne også med dine forældre. Det "
        "sker, før noget bliver vist til andre.",
    },
    "triage": {
        "parent": "Jeg kender ikke skolen. Derfor går sagen først til kommunens visitation. "
        "Den finder den rigtige skolekontaktperson.",
        "pupil": "Jeg kender ikke din skole. Derfor ser en voksen i kommunen det først. Hun "
        "finder den rigtige skolekontaktperson til dig.",
    },
    "faq_storage": {
        "parent": "Dine svar bliver gemt sikkert hos kommunen, mens du skriver. Du kan se dem og "
        'få dem slettet. Skriv "slet mine svar" når som helst.\nSender du ikke svarene, '
        "slettes de efter {unfinished_days}. Når sagen er lukket, slettes de efter "
        "{retention_days}.",
        "pupil": 'Dine svar bliver gemt, mens du skriver. Skriv "slet mine svar", hvis du vil '
        "have dem væk.\nSender du dem ikke, slettes de efter {unfinished_days}. Når din sag er "
        "slut, slettes de efter {retention_days}.",
    },
    "faq_what_next": {
        "parent": "Når du er færdig, får skolekontaktpersonen et kort resumé. Hun eller han "
        "ringer eller skriver til jer inden for {contact_days}. Sammen aftaler I, hvad der skal "
        "ske.",
        "pupil": "Når vi er færdige, får skolekontaktpersonen dine svar. Hun eller han taler med "
        "dig inden for {contact_days}. Så finder I ud af, hvad der kan hjælpe.",
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
        "parent": "Du kan altid ringe eller skrive til skolen: {school}, {contact}. Bed om at "
        "tale med skolekontaktpersonen.",
        "pupil": "Du kan tale med en voksen på skolen. {school}: {contact}.",
    },
    "school_contact_unknown": {
        "parent": "Ring til dit barns skole og bed om at tale med skolekontaktpersonen. Du kan "
        "også ringe til kommunen.",
        "pupil": "Gå hen til en lærer, du kan lide. Eller spørg på kontoret. Du kan også ringe "
        "til BørneTelefonen på 116 111.",
    },
    "urgent_flagged": {
        "parent": "Jeg har markeret sagen som hastende. Skolekontaktpersonen får besked nu.",
        "pupil": "Jeg siger det til skolekontaktpersonen nu.",
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


def promise_values() -> dict[str, object]:
    """The numbers the chat promises, from the settings (never written into a text)."""
    settings = get_settings()
    return {
        "retention_days": plural(settings.retention_days, "dag", "dage"),
        "unfinished_days": plural(settings.unfinished_chat_days, "dag", "dage"),
        "contact_days": plural(settings.contact_within_working_days, "arbejdsdag", "arbejdsdage"),
        "age": settings.pupil_consent_age,
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
    if "{" not in template:
        return template
    return template.format(**{**promise_values(), **values})


def all_texts() -> list[tuple[str, str, str]]:
    """(key, variant, text) for every message; the readability test walks these."""
    return [(key, variant, t) for key, v in _TEXTS.items() for variant, t in v.items()]
