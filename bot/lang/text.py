"""Normalisation and tokenisation of user text and of the knowledge it is matched against."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Longest message worth normalising: Telegram caps a message at 4,096 characters, and
# nothing past that changes what a question is about.
MAX_INPUT_CHARS = 4096

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "&": " and ",
    }
)

_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "n't": " not",
    "'re": " are",
    "'m": " am",
    "'ll": " will",
    "'ve": " have",
    "'d": " would",
}
_CONTRACTION_RE = re.compile(r"won't|can't|cannot|shan't|n't|'re|'m|'ll|'ve|'d")
# "what's", "it's", "who's": "is"; any other "'s" is a possessive and is dropped.
_IS_RE = re.compile(r"\b(what|who|where|when|why|how|it|that|there|here|he|she|this)'s\b")
_POSSESSIVE_RE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?=\s|$)")
_NON_WORD_RE = re.compile(r"[^\w]+")
_UNDERSCORE_RE = re.compile(r"_+")

# "twenty fifteen" -> "2015", as people say years aloud (and voice typing writes them)
_YEAR_WORDS_RE = re.compile(
    r"\btwenty[\s-]+(ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)\b"
)
_YEARS = {
    "ten": "2010",
    "eleven": "2011",
    "twelve": "2012",
    "thirteen": "2013",
    "fourteen": "2014",
    "fifteen": "2015",
    "sixteen": "2016",
    "seventeen": "2017",
}
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}

# Chat shorthand people type on phones, mapped to the word they mean.
_SHORTHAND = {
    "whats": "what is",
    "wats": "what is",
    "wheres": "where is",
    "whos": "who is",
    "hows": "how is",
    "whens": "when is",
    "whys": "why is",
    "thats": "that is",
    "theres": "there is",
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "werent": "were not",
    "arent": "are not",
    "cant": "can not",
    "couldnt": "could not",
    "wont": "will not",
    "wouldnt": "would not",
    "havent": "have not",
    "hasnt": "has not",
    "u": "you",
    "othr": "other",
    "stil": "still",
    "eachother": "each other",
    "fnd": "find",
    "til": "until",
    "till": "until",
    "witch": "which",
    "whch": "which",
    "forse": "force",
    "forses": "forces",
    "wich": "which",
    "wch": "which",
    "pik": "pick",
    "piked": "picked",
    "pikd": "picked",
    "n": "and",
    "nd": "and",
    "aftr": "after",
    "hapend": "happened",
    "happend": "happened",
    "hapened": "happened",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    "wbu": "what about",
    "hbu": "how about",
    "abt": "about",
    "ur": "your",
    "r": "are",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "tnx": "thanks",
    "ty": "thanks",
    "tysm": "thanks",
    "cheers": "thanks",
    "bc": "because",
    "cos": "because",
    "cuz": "because",
    "coz": "because",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "wen": "when",
    "whn": "when",
    "wer": "were",
    "dat": "that",
    "da": "the",
    "tha": "the",
    "teh": "the",
    "hw": "how",
    "nov": "november",
    "oct": "october",
    "feb": "february",
    "apr": "april",
    "jul": "july",
    "jan": "january",
    "mar": "march",
    "jun": "june",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "dec": "december",
    "govt": "government",
    "info": "information",
    "msg": "message",
    "rpt": "report",
    "2day": "today",
    "b4": "before",
    "gr8": "great",
    "thru": "through",
    "yr": "year",
    "yrs": "years",
    "la": "local authority",
    "las": "local authorities",
    "pd": "police",
    "cops": "police",
    "feds": "police",
    "examined": "inspected",
    "examine": "inspect",
    "examining": "inspecting",
    "examination": "inspection",
    "audited": "inspected",
    "audit": "inspection",
    "visited": "inspected",
    "scrutinised": "inspected",
    "scrutinized": "inspected",
    "coppers": "police",
    "cse": "child sexual exploitation",
}

_SUFFIXES = (
    "ations",
    "ation",
    "ions",
    "ion",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "ors",
    "ed",
    "es",
    "er",
    "or",
    "s",
)
_MIN_STEM = 4
# Words whose ending is not an inflection here: "greater" (Greater Manchester) is not a
# form of "great", which thanks the bot.
_UNSTEMMED = frozenset({"greater"})


def spellings_of(words: Iterable[str]) -> frozenset[str]:
    """``words`` and the chat shorthand typed for them ("wen" and "whn" for "when")."""
    wanted = set(words)
    return frozenset(wanted | {short for short, full in _SHORTHAND.items() if full in wanted})


def normalise(text: str) -> str:
    """Fold ``text`` to lower-case words separated by single spaces.

    NFKC, case-folding, curly quotes and dashes made plain, contractions expanded,
    possessives dropped, punctuation and emoji removed, number words as digits and
    common chat shorthand spelled out.
    """
    return " ".join(tokens(text))


# Text that is already plain: lower-case ASCII words and single spaces. Most keywords and
# screen phrases are, and many messages: they skip the Unicode and punctuation passes.
_PLAIN_RE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


@lru_cache(maxsize=8192)
def _tokens_cached(text: str) -> tuple[str, ...]:
    if len(text) <= MAX_INPUT_CHARS and _PLAIN_RE.fullmatch(text) and "twenty" not in text:
        return _plain_tokens(text)
    return _tokens_full(text)


def _plain_tokens(text: str) -> tuple[str, ...]:
    """The fast path of tokens() for plain text; the same result as _tokens_full (tested)."""
    out: list[str] = []
    for word in text.split(" "):
        word = _NUMBER_WORDS.get(word, word)  # noqa: PLW2901
        out.extend(_SHORTHAND.get(word, word).split())
    return tuple(out)


def _tokens_full(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS]).casefold().translate(_QUOTES)
    folded = _YEAR_WORDS_RE.sub(lambda m: _YEARS[m.group(1)], folded)
    folded = _IS_RE.sub(r"\1 is", folded)
    folded = _CONTRACTION_RE.sub(lambda m: " " + _CONTRACTIONS[m.group(0)].strip(), folded)
    folded = _POSSESSIVE_RE.sub("", folded)
    folded = _UNDERSCORE_RE.sub(" ", _NON_WORD_RE.sub(" ", folded))
    out: list[str] = []
    for word in folded.split():
        if not word.isascii():
            # Keep words in other scripts as they are; strip accents from Latin ones.
            stripped = "".join(
                c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
            )
            word = stripped if stripped.isascii() else word  # noqa: PLW2901
        word = _NUMBER_WORDS.get(word, word)  # noqa: PLW2901
        out.extend(_SHORTHAND.get(word, word).split())
    return tuple(out)


def tokens(text: str) -> tuple[str, ...]:
    """The normalised words of ``text``."""
    return _tokens_cached(text)


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A light suffix-stripping stem, so "inspected", "inspections" and "inspect" meet."""
    if word.isdigit() or len(word) <= _MIN_STEM or word in _UNSTEMMED:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            # "deferred" -> "defer", "planning" -> "plan"
            if len(base) > _MIN_STEM and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]
            return base
    if word.endswith("e") and len(word) > _MIN_STEM + 1:
        return word[:-1]  # "improve" meets "improved", "release" meets "released"
    return word


def stems(words: tuple[str, ...]) -> tuple[str, ...]:
    """The stem of each word."""
    return tuple(stem(w) for w in words)


@lru_cache(maxsize=4096)
def grams(words: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Every run of one to three words in ``words``."""
    return frozenset(words[i : i + n] for n in (1, 2, 3) for i in range(len(words) - n + 1))


def says(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    """Whether one of ``phrases`` (of at most three words) occurs in ``words``."""
    return not grams(words).isdisjoint(phrases)
