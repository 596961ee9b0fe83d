"""Masks for what people type about themselves, applied before a question is stored.

On a child-protection topic people type names, addresses and their children's details.
The question log keeps a question's normalised words for triage; this module replaces
each of these with a mask word before it is written:

- ``<email>``: "jane.doe@example.com", and as typed without the symbols ("jane doe
  example com", "jane at example dot com");
- ``<url>``: "https://...", "www...", "example.org/page", "t.me/someone";
- ``<handle>``: "@someone";
- ``<phone>``, ``<card>``, ``<number>``: runs of digits (seven or more in all: a phone;
  13 to 19: a card number; a long single number or three numbers in a row: a reference);
- ``<ni>``: National Insurance numbers ("QQ 12 34 56 C");
- ``<postcode>``: UK postcodes ("LS1 4AB", "sw1a1aa");
- ``<address>``: "12 Acacia Avenue", "on Acacia Avenue", "flat 3";
- ``<date>``: a day with its month ("3rd March 2015", "03/04/2015", "march 3"), and
  whatever follows "born", "dob", "date of birth" or "birthday". A month with its year
  alone ("November 2012", "apr 13") is kept: that is how people ask about the page;
- ``<name>``: names introduced as names ("my name is ...", "I'm called ...", "call me
  ...", "my son Tom", "my daughter's name is ...", "Mrs Smith").

Pure functions: text in, text out. The symbols that make e-mails, links and handles
recognisable are lost in normalisation, so those are found in the text as typed first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.lang.text import tokens
from bot.lang.words import MONTHS, QUESTION_WORDS, STOPWORDS

# Telegram allows 4,096 characters; nothing past this helps anyone read a log.
MAX_TEXT_CHARS = 500
# Only this much of a message is masked (and so stored): twice what is kept, since masking
# shortens text, cut at a space so that no half of an e-mail or number is left unmasked.
MAX_TYPED_CHARS = 2 * MAX_TEXT_CHARS

EMAIL = "<email>"
URL = "<url>"
HANDLE = "<handle>"
PHONE = "<phone>"
CARD = "<card>"
NUMBER = "<number>"
NI_NUMBER = "<ni>"
POSTCODE = "<postcode>"
ADDRESS = "<address>"
DATE = "<date>"
NAME = "<name>"
MASKS = frozenset(
    {EMAIL, URL, HANDLE, PHONE, CARD, NUMBER, NI_NUMBER, POSTCODE, ADDRESS, DATE, NAME}
)

# A run of this many digit words in a row is a phone or reference number.
NUMBER_RUN_WORDS = 3
# A single digit word this long is a phone or reference number too ("07700900123").
LONG_NUMBER_DIGITS = 5
# A run of digit words with this many digits in all is a phone number (UK: 10 or 11)...
PHONE_DIGITS = 7
# ... and with this many, a payment card's number (ISO/IEC 7812: 13 to 19 digits).
CARD_DIGITS = range(13, 20)
# How many words before a typed-out e-mail's domain may be its local part ("jane doe").
EMAIL_LOCAL_WORDS = 2
# How many words after "my name is" or "my son" are taken for the name ("jane smith").
NAME_WORDS = 2
# How many words after "born", "dob" or "date of birth" are taken for the date.
BIRTH_DATE_WORDS = 4

# ------------------------------------------------------------ in the text as typed

_TYPED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE), EMAIL),
    (re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), URL),
    # a bare domain with a path, or a well-known ending: "example.org/page", "t.me/x"
    (
        re.compile(
            r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|uk|io|me|info|gov|ac|ly|co)\b(?:/\S*)?",
            re.IGNORECASE,
        ),
        URL,
    ),
    (re.compile(r"(?<![\w@])@\w{2,}"), HANDLE),
    # numeric dates keep their shape only here: "03/04/2015", "2015-04-03", "3.4.15"
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b"), DATE),
)


def _typed_pieces(text: str) -> Iterator[str]:
    """``text`` cut into plain pieces and the masks of what the typed patterns found."""
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in _TYPED:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), mask))
    at = 0
    for start, end, mask in sorted(spans):
        yield text[at:start]
        yield mask
        at = end
    yield text[at:]


def normalised_words(text: str) -> list[str]:
    """The normalised words of ``text`` as typed, with e-mails, links and handles masked."""
    words: list[str] = []
    for piece in _typed_pieces(text):
        if piece in MASKS:
            words.append(piece)
        else:
            words.extend(tokens(piece))
    return words


# ------------------------------------------------------------ in the normalised words

_MONTH = "|".join(sorted(MONTHS | {m[:3] for m in MONTHS} | {"sept"}, key=len, reverse=True))
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# How a typed-out e-mail address ends ("com", "co uk", "co dot uk"); never "uk" alone.
_EMAIL_END = r"(?:com|net|org|info|biz|(?:co|org|ac|gov|nhs|police|sch) (?:dot )?(?:uk|net))"
# Words that end an address after its number and name.
_STREET = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|crescent|terrace|gardens|grove|mews|"
    r"close|court|(?<!take )(?<!took )(?<!takes )(?<!taking )place|square|walk|row|hill|rise|"
    r"parade|boulevard)"  # ("the 3 inspections take place" is no address)
)
_W = r"[a-z][a-z'-]*"  # one ordinary word (masks, with their angle brackets, never match)
# one word that is not a function word: "jane" in "my email is jane example com"
_CONTENT = rf"(?!(?:{'|'.join(sorted(STOPWORDS | QUESTION_WORDS, key=len, reverse=True))})\b){_W}"
_RELATIVE = (
    r"(?:son|sons|daughter|daughters|child|children|kid|kids|boy|girl|baby|grandson|"
    r"granddaughter|grandchild|nephew|niece|stepson|stepdaughter|brother|sister|husband|"
    r"wife|partner|boyfriend|girlfriend|ex|mum|mom|mother|dad|father|friend|neighbour|"
    r"cousin|foster child|foster son|foster daughter)"
)

# (pattern, replacement): the mask, or a template keeping a leading word
# The patterns below that test every word against the stop words are slow (100-200 µs on a
# question); they run only on text with one of these words in it.
_EMAIL_HINT = re.compile(rf"\b{_EMAIL_END}\b")
_STREET_HINT = re.compile(rf"\b{_STREET}\b")

_NORMALISED: tuple[tuple[re.Pattern[str], str, re.Pattern[str] | None], ...] = (
    # National Insurance: two letters, six digits (maybe in pairs), one letter A-D
    (re.compile(r"\b[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]\b"), NI_NUMBER, None),
    # UK postcode: outward code (A9, A99, A9A, AA9, AA99, AA9A), then inward code (9AA)
    (re.compile(r"\b[a-z]{1,2}\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2}\b"), POSTCODE, None),
    # e-mail typed out: "jane at example dot com", "jane doe example com"
    (
        re.compile(
            rf"\b(?:{_CONTENT} ){{0,{EMAIL_LOCAL_WORDS - 1}}}{_CONTENT} at {_W}(?: dot {_W})* "
            rf"(?:dot )?{_EMAIL_END}\b"
        ),
        EMAIL,
        _EMAIL_HINT,
    ),
    (
        re.compile(
            rf"\b(?:{_CONTENT} ){{1,{EMAIL_LOCAL_WORDS}}}(?:dot )?{_W} (?:dot )?{_EMAIL_END}\b"
        ),
        EMAIL,
        _EMAIL_HINT,
    ),
    # dates: "3rd march 2015", "3 of march", "march 3rd 2015", "03 04 2015"
    (re.compile(rf"\b{_DAY} (?:of )?(?:{_MONTH})(?: \d{{2,4}})?\b"), DATE, None),
    (
        # (not "apr 13": a month and a page year, 2011-2015, written short)
        re.compile(
            rf"\b(?:{_MONTH}) (?!1[1-5]\b){_DAY}(?: \d{{4}})?\b(?! (?:forces?|areas?|inspections?))"
        ),
        DATE,
        None,
    ),
    (re.compile(r"\b\d{1,2} \d{1,2} (?:\d{4}|\d{2})\b"), DATE, None),
    (re.compile(r"\b\d{4} \d{1,2} \d{1,2}\b"), DATE, None),
    # addresses: "12 acacia avenue", "12b high st", "flat 3", "on acacia avenue"
    # (a year is not a house number: "the july 2012 consultation close" keeps its year)
    (
        re.compile(rf"\b(?!(?:19|20)\d\d\b)\d{{1,4}}[a-z]? (?:{_W} ){{1,3}}{_STREET}\b"),
        ADDRESS,
        None,
    ),
    (
        re.compile(rf"\b(on|at|in|off) (?:{_CONTENT} ){{1,2}}{_STREET}\b"),
        rf"\g<1> {ADDRESS}",
        _STREET_HINT,
    ),
    (
        re.compile(
            r"\b(?:flat|apartment|apt|unit|house number|house no|room|block|floor) "
            r"(?:no )?\d{1,4}[a-z]?\b"
        ),
        ADDRESS,
        None,
    ),
)

# What introduces a name for certain: "my name is ...", "i am called ...", "mrs ...".
_NAME_LEADS = re.compile(
    r"\b(?:(?:my|his|her|their|our) (?:full |first |last |real |sur)?name is|name is"
    r"|names are|i am called|i am named|(?:he|she|they) (?:is|are) called|call me"
    rf"|(?:my|our|his|her|their|a|the) (?:{_RELATIVE}|man|woman|lady|person) (?:called|named)"
    rf"|(?:my|our|his|her|their) {_RELATIVE} name is"
    r"|mr|mrs|ms|miss|mx|(?<!tl )dr)$"  # (not "tl dr": "tl;dr staffs section")
)
# What may come before a name: "my son tom" (but not "my son hits", "my dad told me").
# Only after "my" or "our" and one person: "their child protection", "my sons school" (a
# possessive typed without its apostrophe) are not followed by a name.
_RELATIVE_LEAD = re.compile(rf"\b(?:my|our) (?!(?:sons|daughters|children|kids)$){_RELATIVE}$")
# Words after "my son" that are not his name: "my son is 5", "my son told me", ...
_NOT_NAMES = (
    STOPWORDS
    | QUESTION_WORDS
    | MONTHS
    | frozenset(_RELATIVE.strip("(?:)").replace("|", " ").split())
    | frozenset(
        """
        aged age years year months old attends attended goes went lives lived has had was
        were is are am be been being said says told tells asked asks wants needs needed got
        gets did does and or but who which that with from in at on to for of by also too
        social worker police school nursery teacher carer foster care council team family
        name names called named beat hit hurt cut put let set kept left made took fight
        scream stay alone primary secondary high college class protection care abuse
        sexual exploitation neglect safeguarding
        """.split()  # noqa: SIM905
    )
)
# Endings of the verbs that follow "my dad" far more often than a name does ("hits").
_VERB_ENDINGS = ("s", "ed", "ing")
_YEAR = re.compile(r"(?:19|20)\d\d")
_BIRTH = re.compile(r"\b(?:born(?: on| in)?|dob|d o b|date of birth(?: is)?|birthday(?: is)?)$")
_DATE_WORD = re.compile(rf"^(?:{_DAY}|{_MONTH}|of|\d{{2,4}}|{re.escape(DATE)})$")


def _numbers(words: list[str]) -> list[str]:
    """Runs of digit words as card, phone or reference numbers; short numbers and years kept."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if word.isdigit():
            run.append(word)
            continue
        digits = sum(len(w) for w in run)
        if all(_YEAR.fullmatch(w) for w in run):
            out.extend(run)  # "2012 2013": years, however many
        elif digits in CARD_DIGITS:
            out.append(CARD)
        elif digits >= PHONE_DIGITS:
            out.append(PHONE)
        elif len(run) >= NUMBER_RUN_WORDS or any(len(w) >= LONG_NUMBER_DIGITS for w in run):
            out.append(NUMBER)
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


def _names(words: list[str], capitalised: frozenset[str] | None = None) -> list[str]:
    """Words introduced as names masked: up to NAME_WORDS after a lead.

    After "my son" and the like, a word is taken for a name only if it looks like one
    (see _looks_like_name): "my son tom is 5", but not "my dad hits me".
    """
    out: list[str] = []
    taking = 0
    guessing = False  # after "my son": each word must look like a name
    for word in words:
        plausible = word not in MASKS and word not in _NOT_NAMES and word.isalpha()
        if guessing:
            plausible = plausible and _looks_like_name(word, capitalised)
        if taking and plausible:
            if out[-1] != NAME:
                out.append(NAME)
            taking -= 1
            continue
        taking, guessing = 0, False
        out.append(word)
        recent = " ".join(out[-6:])
        if _NAME_LEADS.search(recent):
            taking = NAME_WORDS
        elif _RELATIVE_LEAD.search(recent):
            taking, guessing = NAME_WORDS, True
    return out


def _looks_like_name(word: str, capitalised: frozenset[str] | None) -> bool:
    """Capitalised, if the writer capitalises names; else not shaped like a verb."""
    if capitalised is not None:
        return word in capitalised
    return not word.endswith(_VERB_ENDINGS)


_CASED_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def capitalised_words(text: str) -> frozenset[str] | None:
    """The words ``text`` capitalises mid-sentence (lower-cased), or None if it has none.

    "I", words in capitals (HMIC, shouting) and the first word of a sentence tell nothing.
    """
    found: set[str] = set()
    for m in _CASED_WORD.finditer(text):
        word = m.group()
        if not word[0].isupper() or word.isupper() or word.startswith("I'"):
            continue
        before = text[: m.start()].rstrip()
        if before and before[-1] not in ".!?":
            found.add(word.lower().split("'")[0])
    return frozenset(found) if found else None


def _birth_dates(words: list[str]) -> list[str]:
    """Whatever date-like words follow "born", "dob" or "date of birth", as one date."""
    out: list[str] = []
    taking = 0
    for word in words:
        if taking and _DATE_WORD.match(word):
            if out[-1] != DATE:
                out.append(DATE)
            taking -= 1
            continue
        taking = 0
        out.append(word)
        if _BIRTH.search(" ".join(out[-4:])):
            taking = BIRTH_DATE_WORDS
    return out


def mask_words(words: list[str], capitalised: frozenset[str] | None = None) -> str:
    """Normalised ``words`` (masks allowed among them) with every personal detail masked.

    ``capitalised``: the words the writer capitalised mid-sentence, when known.
    """
    text = " ".join(words)
    for pattern, mask, hint in _NORMALISED:
        if hint is None or hint.search(text):
            text = pattern.sub(mask, text)
    out = _numbers(text.split())
    out = _birth_dates(out)
    out = _names(out, capitalised)
    collapsed = [w for i, w in enumerate(out) if not (w in MASKS and i and out[i - 1] == w)]
    return " ".join(collapsed)[:MAX_TEXT_CHARS]


def mask_typed(text: str) -> str:
    """``text`` as typed, normalised, with every personal detail masked: what is stored."""
    text = _head(text)
    return mask_words(normalised_words(text), capitalised_words(text))


def mask_normalised(text: str) -> str:
    """Already normalised ``text`` with every personal detail it still shows masked."""
    return mask_words(_head(text).split())


def _head(text: str) -> str:
    """The first MAX_TYPED_CHARS of ``text``, without the word cut there."""
    if len(text) <= MAX_TYPED_CHARS:
        return text
    kept = text[: MAX_TYPED_CHARS + 1].rsplit(None, 1)
    return kept[0] if len(kept) == 2 else ""  # one endless word: nothing worth keeping
