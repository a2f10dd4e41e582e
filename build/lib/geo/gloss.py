r"""Russian and Ukrainian articles read through an English gloss.

The extractor's rules (place roles, lists, dates, background, namesakes, fallbacks, merging)
are written once, for English. A Russian or Ukrainian article is turned, word by word, into
the English those rules read, with a map from every glossed word back to the original text:

* **event words, dates and facts** come from a lexicon per language (``lexicons/ru.json``,
  ``lexicons/uk.json``): lemmas whose every inflected form is derived with pymorphy3's
  dictionaries (``обстрелом``, ``обстрелы`` → "shelling"), fixed phrases (``минулої доби`` →
  "over the past day") and prepositions read by the case of the word after them (``на
  Харківщині`` → "in", ``удар на Махачкалу`` → "on");
* **place names** are lemmatised by pymorphy3 (``в Судже`` → Суджа, ``під Вовчанськом`` →
  Вовчанськ, ``Старому Салтові`` → Старий Салтів) and looked up among the gazetteer's
  Cyrillic names; a known place is written by its English name, an unknown one transliterated
  (``Песчаное`` → Peschanoye), so the resolver, namesake rules and fallbacks of the English path
  apply unchanged;
* **areas**: an adjective before ``область``/``район``/``громада`` (``Белгородской области``,
  ``Куп’янського району``) and the ``-щина`` names (``Харківщина``) become "Belgorod Oblast",
  "Kupiansk district", "Kharkiv region".

:func:`read_glossed` then maps the events found in the gloss back: evidence is the original
sentences, verbatim, and each event carries the article's ``language``.

Examples
--------
>>> from geo.articles import article_from_text
>>> text = "Обстрел\n\nВ результате обстрела Шебекино ранены двое мирных жителей."
>>> art = article_from_text(text, published="2024-09-06")
>>> gloss_article(art).article.text
'Shelling of Shebekino wounded two civilians.'
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .articles import Article
from .events import Event
from .gazetteer import AdminArea, Gazetteer, Match, get_gazetteer

__all__ = ["Gloss", "gloss_article", "glossed_events"]

_LEXICONS = Path(__file__).parent / "lexicons"
# Words (with inner apostrophes or hyphens), numbers, runs of white space, anything else.
_TOKEN = re.compile(r"[^\W\d_]+(?:[’'ʼ‘`-][^\W\d_]+)*|\d+(?:[.,:]\d+)*|\s+|.", re.S)
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})
_QUOTES = {"«": "“", "»": "”", "„": "“"}
_SENTENCE_END = frozenset(".!?…")
_LIST_CONJUNCTIONS = frozenset({"и", "і", "й", "та", "а также", "або", "или"})
_FUNCTION_WORDS = frozenset({"NPRO", "PREP", "CONJ", "PRCL", "INTJ", "PRED", "ADVB"})
_OPENS_SENTENCE = frozenset('.!?…“"—–:')
_ACRONYM = re.compile(r"([А-ЯЁІЇЄҐ]{2,})[а-яёіїєґ]{0,4}")
_MAX_PHRASE = 4
_ADJECTIVE_SUFFIX = re.compile(r"(?:ськ|цьк|ск|цк)[а-яёіїєґ]{0,3}$")
_SHCHYNA = re.compile(r"щин[аиіуоеы]?$|щиною$|щині$")
_WIKIPEDIA_ENDINGS = re.compile(r"iya$|iyu$")  # Mordoviya → Mordovia
_VICTIMS = frozenset({"woman", "man", "child", "teenager", "pensioner", "driver", "resident", "civilian", "person"})
_PLURALS = {
    "woman": "women", "man": "men", "child": "children", "person": "people", "resident": "residents",
    "civilian": "civilians", "driver": "drivers", "teenager": "teenagers", "pensioner": "pensioners",
}  # fmt: skip
_CASUALTY_GLOSSES = frozenset({"killed", "wounded", "injured", "dead", "died", "hospitalised"})
_AREA_COUNTRIES = frozenset({"RU", "UA", "BY"})
_STEM_ENDINGS = ("", "ськ", "ск", "а", "и", "ы", "е", "о", "ка", "ів", "ев", "ов", "ино", "ово")


@dataclass(frozen=True)
class _Piece:
    text: str  # the English written for it
    start: int  # its span in the original text
    end: int
    preposition: bool = False
    noun: bool = False  # a noun from the lexicon (a name after it is its genitive)


@dataclass(frozen=True)
class Gloss:
    """An article in English gloss, with the way back to the original text."""

    article: Article  # the gloss: same id, title and text in English
    original: Article
    language: str
    _starts: tuple[int, ...]  # where each piece begins in the gloss
    _pieces: tuple[_Piece, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the gloss span ``start:end`` was written for."""
        first = max(0, bisect.bisect_right(self._starts, start) - 1)
        last = max(first, bisect.bisect_left(self._starts, end) - 1)
        covered = [p for p in self._pieces[first : last + 1] if p.text.strip()] or [self._pieces[first]]
        lo, hi = covered[0].start, covered[-1].end
        text = self.original.text
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        return lo, hi


class _Lexicon:
    """One language's glosses, every inflected form of each lemma derived once per process."""

    def __init__(self, language: str) -> None:
        import pymorphy3

        data = json.loads((_LEXICONS / f"{language}.json").read_text(encoding="utf-8"))
        self.language = language
        self.morph = pymorphy3.MorphAnalyzer(lang=language)
        self.forms: dict[str, str] = {}
        self.time_forms: dict[str, str] = {}
        for section, into in (("time", self.time_forms), ("words", self.forms)):
            for lemma, gloss in data[section].items():
                for form in self._inflections(lemma):
                    into.setdefault(form, gloss)
        for word, gloss in data["months"].items():
            self.forms.setdefault(word, gloss)
        self.phrases = {tuple(k.split()): v for k, v in data["phrases"].items()}
        self.phrase_starts = frozenset(k[0] for k in self.phrases)
        self.prepositions: dict[str, Any] = data["prepositions"]
        self.settlements: dict[str, str] = data["settlement_nouns"]
        self.areas: dict[str, str] = data["area_nouns"]
        self.abbreviations: dict[str, str] = data["abbreviations"]
        self.acronyms: dict[str, str] = data.get("acronyms", {})

    def _inflections(self, lemma: str) -> set[str]:
        forms = {lemma}
        for parse in self.morph.parse(lemma):
            if parse.normal_form == lemma or parse.word == lemma:
                forms.update(f.word for f in parse.lexeme)
        forms |= {f.replace("ё", "е") for f in forms}
        return {f.translate(_APOSTROPHES) for f in forms} | forms

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 -- one lexicon per language, kept for the process
    def parse(self, word: str) -> tuple[Any, ...]:
        return tuple(self.morph.parse(word.translate(_APOSTROPHES))[:4])

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 -- as parse
    def role_of(self, low: str) -> tuple[str, str, bool]:
        """What a word in lower case is: ``(role, gloss, singular victim)``; role "drop" for most."""
        if low in self.prepositions:
            return "preposition", "", False
        if low in self.time_forms:
            return "time", self.time_forms[low], False
        if low in self.forms:
            gloss = self.forms[low]
            return "word", gloss, gloss in _VICTIMS and self.is_singular(low)
        noun = self.settlements.get(low, self.settlements.get(self.lemma(low)))
        return ("settlement", noun, False) if noun is not None else ("drop", "", False)

    def lemma(self, word: str) -> str:
        parses = self.parse(word.lower())
        return str(parses[0].normal_form) if parses else word.lower()

    def case_of(self, word: str) -> set[str]:
        return {str(p.tag.case) for p in self.parse(word.lower()) if p.tag.case}

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 -- as parse
    def nominatives(self, word: str) -> tuple[str, ...]:
        """Candidate dictionary forms of a name: as written, then each parse in the nominative."""
        out = [word]
        for p in self.parse(word):
            nominative = p.inflect({"nomn"})
            for form in (nominative.word if nominative else None, p.normal_form):
                if form:
                    cased = _cased_like(form, word)
                    if cased not in out:
                        out.append(cased)
        return tuple(out)

    def nominative(self, word: str) -> str:
        """The word in the nominative: as written when it may be nominative already."""
        parses = self.parse(word)
        if not parses or any(p.tag.case == "nomn" for p in parses):
            return word
        candidates = self.nominatives(word)
        return candidates[1] if len(candidates) > 1 else word

    def is_name(self, word: str) -> bool:
        """Whether pymorphy3 reads the word as a place, person or organisation name."""
        return any(
            {"Geox", "Name", "Surn", "Patr", "Orgn"} & set(str(p.tag).replace(" ", ",").split(","))
            for p in self.parse(word)
        )

    def is_person(self, word: str) -> bool:
        return any({"Name", "Surn", "Patr"} & set(str(p.tag).replace(" ", ",").split(",")) for p in self.parse(word))

    def is_plural(self, word: str) -> bool:
        parses = self.parse(word)
        return bool(parses) and parses[0].tag.number == "plur"

    def is_singular(self, word: str) -> bool:
        parses = self.parse(word)
        return bool(parses) and parses[0].tag.number != "plur"

    def is_noun(self, word: str) -> bool:
        parses = self.parse(word)
        return bool(parses) and parses[0].tag.POS == "NOUN"

    def function_word(self, word: str) -> bool:
        parses = self.parse(word.lower())
        return bool(parses) and parses[0].is_known and parses[0].tag.POS in _FUNCTION_WORDS

    def known_common_word(self, word: str) -> bool:
        """A dictionary word that is not a name (a sentence's first word, capitalised)."""
        parses = self.parse(word.lower())
        return bool(parses) and parses[0].is_known and not self.is_name(word)

    @functools.lru_cache(maxsize=100_000)  # noqa: B019 -- as parse
    def transliterate(self, word: str) -> str:
        if self.language == "uk":
            import translitua

            return str(translitua.translit(word))
        import iuliia

        return str(iuliia.WIKIPEDIA.translate(word))


@functools.cache
def _lexicon(language: str) -> _Lexicon:
    return _Lexicon(language)


def _cased_like(form: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return form.upper()
    return "-".join(part[:1].upper() + part[1:] for part in form.split("-")) if model[:1].isupper() else form


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _is_word(token: str) -> bool:
    return token[:1].isalpha()


def _is_cyrillic_word(token: str) -> bool:
    return any(0x400 <= ord(ch) <= 0x52F for ch in token[:3])


class _Writer:
    """Turns one text into gloss pieces."""

    def __init__(self, text: str, lexicon: _Lexicon, gazetteer: Gazetteer) -> None:
        self.text, self.lex, self.gaz = text, lexicon, gazetteer
        self.tokens = _tokens(text)
        self.lowered = [t.lower().translate(_APOSTROPHES) for t, _, _ in self.tokens]
        self.words = [t[:1].isalpha() for t, _, _ in self.tokens]
        self.pieces: list[_Piece] = []
        self.sentence_open = True  # the next word written begins a sentence
        self.last_char = ""  # the last character written
        self.regions_named: set[tuple[str, str]] = set()  # (country, admin1) of the regions written so far

    def named(self, areas: list[AdminArea]) -> list[AdminArea]:
        self.regions_named.update((a.country, a.code) for a in areas)
        return areas

    # -- output ----------------------------------------------------------------------------
    def emit(self, gloss: str, start: int, end: int, *, preposition: bool = False, noun: bool = False) -> None:
        if gloss:
            stripped = gloss.rstrip()
            if stripped:
                if self.sentence_open:
                    gloss = _capitalised(gloss)
                self.sentence_open = stripped[-1] in _OPENS_SENTENCE
            if "\n" in gloss:
                self.sentence_open = True
            self.last_char = gloss[-1]
        self.pieces.append(_Piece(gloss, start, end, preposition, noun))

    def emit_name(self, english: str, start: int, end: int, *, person: bool = False) -> None:
        """A name; a place after a noun is that noun's genitive ("обстрел Шебекино": "shelling of Shebekino")."""
        last = next((p for p in reversed(self.pieces) if p.text.strip()), None)
        self.emit(f"of {english}" if last is not None and last.noun and not person else english, start, end)

    def emit_space(self, token: str, start: int, end: int) -> None:
        if "\n" in token:
            self.emit("\n\n" if token.count("\n") > 1 else "\n", start, end)
        elif self.last_char and not self.last_char.isspace():
            self.emit(" ", start, end)

    def drop_preposition(self) -> None:
        """A time word takes the place of the preposition before it ("в четверг": "on Thursday")."""
        for k in range(len(self.pieces) - 1, -1, -1):
            piece = self.pieces[k]
            if piece.preposition:
                self.pieces[k] = replace(piece, text="", preposition=False)
                if k + 1 < len(self.pieces) and self.pieces[k + 1].text == " ":
                    self.pieces[k + 1] = replace(self.pieces[k + 1], text="")
                self.last_char = next((p.text[-1] for p in reversed(self.pieces) if p.text), "")
                return
            if piece.text.strip():
                return

    # -- reading ---------------------------------------------------------------------------
    def words_from(self, i: int, n: int) -> list[int]:
        """Indexes of up to ``n`` word tokens from ``i`` on, separated by white space only."""
        out: list[int] = []
        k, tokens, words = i, self.tokens, self.words
        while k < len(tokens) and len(out) < n:
            if words[k]:
                out.append(k)
            elif not tokens[k][0].isspace() or "\n" in tokens[k][0]:
                break
            k += 1
        return out

    def sentence_initial(self, i: int) -> bool:
        for k in range(i - 1, -1, -1):
            token = self.tokens[k][0]
            if token.isspace():
                if "\n" in token:
                    return True
                continue
            return token in _SENTENCE_END or token in '«“"—–-:'
        return True

    def write(self) -> list[_Piece]:
        for k, low in enumerate(self.lowered):  # the regions named anywhere limit the towns of areas
            if self.words[k] and self.tokens[k][0][:1].isupper() and ("щин" in low or _ADJECTIVE_SUFFIX.search(low)):
                self.area_at(k, probe=True)
        i = 0
        while i < len(self.tokens):
            i = self.step(i)
        return self.pieces

    def step(self, i: int) -> int:
        token, start, end = self.tokens[i]
        if token.isspace():
            self.emit_space(token, start, end)
            return i + 1
        whole = token.lower().translate(_APOSTROPHES)
        hyphenated = "-" in token and whole not in self.lex.forms and whole not in self.lex.prepositions
        if token.isdigit() and self.age_at(i) and self.after_casualty_word():
            self.emit(f"a {token}", start, end)  # "поранено 45-річного чоловіка": a 45-year-old man, one
            return i + 1
        if not _is_word(token) or not _is_cyrillic_word(token) or (hyphenated and token.islower()):
            if "-" in token and _is_word(token) and any(_is_cyrillic_word(part) for part in token.split("-")):
                parts = [self.lex.forms.get(p.lower(), "" if _is_cyrillic_word(p) else p) for p in token.split("-")]
                self.emit(" ".join(p for p in parts if p), start, end)  # "FPV-дрону": "FPV drone"
            else:
                self.emit(_QUOTES.get(token, token), start, end)
            return i + 1
        low = self.lowered[i]
        if token.islower() and "-" not in token and low not in self.lex.phrase_starts:
            return self.common_word(i, low, start, end)
        token = token.translate(_APOSTROPHES)
        acronym = _ACRONYM.fullmatch(token)  # "КАБами", "БПЛА": an acronym, perhaps inflected
        if acronym:
            letters = acronym.group(1).lower()
            if letters in self.lex.acronyms:  # "КТО", never the pronoun "кто"
                self.emit(self.lex.acronyms[letters], start, end, noun=True)
                return i + 1
            known = (
                letters
                if letters in self.lex.forms
                else next((e for e in ("ова", "ода", "мва") if letters.endswith(e) and e in self.lex.forms), None)
            )  # "ХОВА": the Kharkiv ОВА
            if known is not None:
                self.emit(self.lex.forms[known], start, end, noun=True)
                return i + 1
        phrase = self.phrase_at(i)
        if phrase is not None:
            j, gloss = phrase
            if gloss.startswith(("overnight", "over the", "last night")):
                self.drop_preposition()
            self.emit(gloss, start, self.tokens[j][2])
            return j + 1
        abbreviation = self.abbreviation_at(i, low)
        if abbreviation is not None:
            return abbreviation
        if low in self.lex.prepositions and (token.islower() or self.sentence_initial(i)):
            self.emit(self.preposition(low, i), start, end, preposition=True)
            return i + 1
        capital = token[0].isupper()
        if low in self.lex.time_forms and not (capital and not self.sentence_initial(i) and self.lex.is_name(token)):
            self.drop_preposition()
            self.emit(self.lex.time_forms[low], start, end)
            return i + 1
        if capital:
            done = self.area_at(i)
            if done is not None:
                return done
        proper = self.lex.forms.get(low, "")[:1].isupper()  # "Ukraine", "Russia", "Ukrainian forces"
        if low in self.lex.forms and (proper or not capital or self.sentence_initial(i) or not self.looks_like_name(i)):
            gloss = self.lex.forms[low]
            if gloss in _VICTIMS and self.after_casualty_word() and self.lex.is_singular(low):
                gloss = f"a {gloss}"  # "загинула жінка": "killed a woman", a count of one
            self.emit(gloss, start, end, noun=self.lex.is_noun(low))
            return i + 1
        lemma = self.lex.lemma(low)
        if lemma in self.lex.settlements or low in self.lex.settlements:
            return self.settlement_at(i, self.lex.settlements.get(lemma) or self.lex.settlements[low])
        if capital:
            return self.name_at(i)
        return i + 1  # a word the extractor has no use for

    def common_word(self, i: int, low: str, start: int, end: int) -> int:
        """A word in lower case: a preposition, a time word, a lexicon word, a settlement noun, or nothing."""
        role, gloss, flag = self.lex.role_of(low)
        if role == "drop":
            return i + 1
        if role == "word":
            if flag and self.after_casualty_word():
                gloss = f"a {gloss}"  # "загинула жінка": "killed a woman", a count of one
            elif gloss in _PLURALS and not flag and self.lex.is_plural(low):
                gloss = _PLURALS[gloss]  # "двое детей": "two children"
            self.emit(gloss, start, end, noun=self.lex.is_noun(low))
        elif role == "preposition":
            self.emit(self.preposition(low, i), start, end, preposition=True)
        elif role == "time":
            self.drop_preposition()
            self.emit(gloss, start, end)
        else:
            return self.settlement_at(i, gloss)
        return i + 1

    def phrase_at(self, i: int) -> tuple[int, str] | None:
        if self.lowered[i] not in self.lex.phrase_starts:
            return None
        words = self.words_from(i, _MAX_PHRASE)
        lowered = [self.lowered[k] for k in words]
        for n in range(len(words), 1, -1):
            gloss = self.lex.phrases.get(tuple(lowered[:n]))
            if gloss is not None:
                return words[n - 1], gloss
        if lowered and (lowered[0],) in self.lex.phrases:
            return words[0], self.lex.phrases[(lowered[0],)]
        return None

    def abbreviation_at(self, i: int, low: str) -> int | None:
        """A settlement noun's abbreviation ("м. Куп'янськ", "с. Песчаное"), its full stop dropped."""
        noun = self.lex.abbreviations.get(low)
        if noun is None or i + 2 >= len(self.tokens) or self.tokens[i + 1][0] != ".":
            return None
        k = i + 2
        while k < len(self.tokens) and self.tokens[k][0].isspace() and "\n" not in self.tokens[k][0]:
            k += 1
        if k >= len(self.tokens) or not self.tokens[k][0][:1].isupper():
            return None
        self.drop_preposition_if_in()
        self.emit(f"in the {noun} of", self.tokens[i][1], self.tokens[i + 1][2])
        self.emit(" ", self.tokens[i + 1][2], self.tokens[k][1])
        return self.name_at(k)

    def drop_preposition_if_in(self) -> None:
        last = next((p for p in reversed(self.pieces) if p.text.strip()), None)
        if last is not None and last.preposition and last.text == "in":
            self.drop_preposition()

    def preposition(self, low: str, i: int) -> str:
        gloss = self.lex.prepositions[low]
        if isinstance(gloss, str):
            return gloss
        nxt = self.words_from(i + 1, 1)
        cases = self.lex.case_of(self.tokens[nxt[0]][0]) if nxt else set()
        if nxt and self.tokens[nxt[0]][0][:1].isupper():
            cases.add("name")  # "під Вовчанськом": near; "під обстрілом": under
        for case, english in gloss.items():
            if case in cases:
                return str(english)
        return str(gloss["default"])

    def looks_like_name(self, i: int) -> bool:
        token = self.tokens[i][0]
        return not self.sentence_initial(i) or self.lex.is_name(token) or bool(self.places(token))

    def settlement_at(self, i: int, noun: str) -> int:
        """A settlement noun before a name: "в поселке Климово" is "in the settlement of Klimovo"."""
        _, start, end = self.tokens[i]
        nxt = self.words_from(i + 1, 1)
        if not noun:
            return i + 1
        if nxt and self.tokens[nxt[0]][0][:1].isupper() and self.area_at(nxt[0], probe=True) is not None:
            plural = any(p.tag.number == "plur" for p in self.lex.parse(self.tokens[i][0].lower()))
            self.emit(f"{noun}s of" if plural else f"the {noun} of", start, end)  # "села Харківського району"
            self.emit(" ", end, self.tokens[nxt[0]][1])
            return self.area_at(nxt[0]) or nxt[0] + 1
        if nxt and self.tokens[nxt[0]][0][:1].isupper() and not self.lex.is_person(self.tokens[nxt[0]][0]):
            self.emit(f"the {noun} of", start, end)
            self.emit(" ", end, self.tokens[nxt[0]][1])
            return self.name_at(nxt[0])
        self.emit(f"the {noun}", start, end)
        return i + 1

    # -- names -----------------------------------------------------------------------------
    def places(self, name: str) -> list[str]:
        """English names of the places the gazetteer knows by ``name``."""
        return list(dict.fromkeys(m.place.name for m in self.gaz.lookup(name)))

    def name_at(self, i: int) -> int:
        """A run of capitalised words: the longest part the gazetteer knows, else transliterated."""
        run = [i]
        for k in self.words_from(i + 1, 2):
            if not self.tokens[k][0][:1].isupper() or self.tokens[k][0].lower() in self.lex.prepositions:
                break
            run.append(k)
        token, start, end = self.tokens[i]
        initial = self.sentence_initial(i)
        if initial and self.lex.function_word(token):
            return i + 1  # "Он", "Также", "Однако": never a name at a sentence's start
        if initial and self.lex.known_common_word(token) and not self.places(token):
            return i + 1  # "Погибли": a common word, capitalised
        for n in range(len(run), 0, -1):
            english = self.known_name(run[:n])
            if english is not None:
                english = english.upper() if self.tokens[run[0]][0].isupper() and n == 1 else english  # "МОСКВА"
                self.emit_name(english, self.tokens[run[0]][1], self.tokens[run[n - 1]][2])
                return run[n - 1] + 1
        english = _capitalised(self.lex.transliterate(self.lex.nominative(token)))
        self.emit_name(english, start, end, person=self.lex.is_person(token))
        return i + 1

    def known_name(self, run: list[int]) -> str | None:
        options = [list(self.lex.nominatives(self.tokens[k][0])[:4]) for k in run]
        for combo in _combinations(options):
            name = " ".join(combo)
            english = self.places(name)
            if english:
                return english[0] if len(english) == 1 else self.spelling_of_all(name, english)
            if len(run) == 1:
                romanised = self.lex.transliterate(name)
                area = self.gaz.regions(romanised) or self.gaz.regions(_WIKIPEDIA_ENDINGS.sub("ia", romanised))
                if area:
                    return self.named(area)[0].name
        return None

    def spelling_of_all(self, name: str, english: list[str]) -> str:
        """One English spelling under which the gazetteer finds all the places of a Cyrillic name.

        "Песчаное" is Pishchane in Ukraine and Peschanoye in Russia: the resolver then chooses
        among them all. Without such a spelling, the most populous place's name.
        """
        ids = {m.place.id for m in self.gaz.lookup(name)}
        romanised = _capitalised(self.lex.transliterate(name))
        if ids <= {m.place.id for m in self.gaz.lookup(romanised)}:
            return romanised
        return self.best_name(name, english)

    def best_name(self, name: str, english: list[str]) -> str:
        """Of several English names for one Cyrillic one, the most populous place's."""
        matches = sorted(self.gaz.lookup(name), key=lambda m: -m.place.population)
        return matches[0].place.name if matches else english[0]

    def area_at(self, i: int, *, probe: bool = False) -> int | None:
        """An adjective and an area noun ("Белгородской области"), or a "-щина" region.

        Returns the index after it (``probe``: without writing anything), or None.
        """
        token, start, end = self.tokens[i]
        token = token.translate(_APOSTROPHES)
        low = self.lowered[i]
        if "щин" not in low and not _ADJECTIVE_SUFFIX.search(low):
            return None  # most capitalised words: neither an area's adjective nor a "-щина" name
        lemma = self.lex.lemma(low)
        if _SHCHYNA.search(lemma):
            town = self.town_of(_SHCHYNA.sub("", lemma))
            if town is not None:
                regions = [r for r in self.gaz.regions(town) if r.capital == town]
                kind = "region" if self.named(regions) else "district"
                if not probe:
                    self.emit(f"the {town} {kind}", start, end)
                return i + 1
            return None
        if not _ADJECTIVE_SUFFIX.search(low):
            return None
        nxt = self.words_from(i + 1, 2)
        noun_at = nxt[0] if nxt else None
        kind = self.area_kind(noun_at)
        if not kind and len(nxt) > 1:  # "Сумської міської громади", "Шебекинский городской округ"
            noun_at = nxt[1]
            kind = self.area_kind(noun_at)
        in_list = False
        if not kind:  # "Юнаківська, Краснопільська та Хотінська громади": the noun after the list
            noun_at = self.list_area_noun(i)
            kind, in_list = self.area_kind(noun_at), True
        if not kind or noun_at is None:
            return None
        adjective = self.adjective_lemma(token)
        english = self.area_name(adjective, kind)
        if english is None:
            return None
        if probe:
            return noun_at + 1
        if in_list:  # one member of the list: the noun is written with the last one
            self.emit(f"the {english}", start, end)
            return i + 1
        genitive_after_name = "gent" in self.lex.case_of(token) and self.after_name()
        self.emit(f"in the {english}" if genitive_after_name else f"the {english}", start, self.tokens[noun_at][2])
        return noun_at + 1

    def area_kind(self, k: int | None) -> str:
        """The kind of area ("region", "district", "community") an area noun at token ``k`` names, else ""."""
        return self.lex.areas.get(self.lex.lemma(self.lowered[k])) or "" if k is not None else ""

    def list_area_noun(self, i: int) -> int | None:
        """The area noun after a list of adjectives that begins at ``i``, if the list ends in one."""
        k = i + 1
        for _ in range(24):  # a list of up to about eight adjectives
            if k >= len(self.tokens):
                return None
            token, low = self.tokens[k][0], self.lowered[k]
            if token.isspace() or token == "," or low in _LIST_CONJUNCTIONS:
                k += 1
                continue
            if self.words[k] and self.area_kind(k):
                return k
            if not (self.words[k] and token[:1].isupper() and _ADJECTIVE_SUFFIX.search(low)):
                return None
            k += 1
        return None

    def age_at(self, i: int) -> bool:
        """Whether the number at ``i`` is an age: "45-річного", "25-летняя"."""
        return (
            i + 2 < len(self.tokens)
            and self.tokens[i + 1][0] in "-‐"
            and self.lex.forms.get(self.lowered[i + 2]) == "year-old"
        )

    def after_casualty_word(self) -> bool:
        last = next((p for p in reversed(self.pieces) if p.text.strip()), None)
        return last is not None and last.text.split()[-1].lower() in _CASUALTY_GLOSSES

    def after_name(self) -> bool:
        last = next((p for p in reversed(self.pieces) if p.text.strip()), None)
        return last is not None and last.text[:1].isupper() and not last.preposition

    def adjective_lemma(self, token: str) -> str:
        for p in self.lex.parse(token.lower()):
            if "ADJF" in str(p.tag):
                return str(p.normal_form)
        return self.lex.lemma(token)

    def area_name(self, adjective: str, kind: str) -> str | None:
        """The English name of an area: "белгородский" region is "Belgorod Oblast"."""
        stem = _ADJECTIVE_SUFFIX.sub("", adjective)
        if kind in ("region", "republic"):
            feminine = self.lex.transliterate(_feminine(adjective))
            areas = self.gaz.regions(_capitalised(feminine)) or []
            town = self.town_of(stem)
            if not areas and town is not None:
                areas = [a for a in self.gaz.regions(town) if a.capital == town]
            return self.named(areas)[0].name if areas else (f"{town} region" if town else None)
        town = self.town_of(stem)
        return f"{town} {kind}" if town is not None else f"{_capitalised(self.lex.transliterate(adjective))} {kind}"

    def town_of(self, stem: str) -> str | None:
        """The English name of the town an adjective or "-щина" name is made from.

        Only towns of Russia, Ukraine and Belarus; among several, one in a region the article
        has named (the article's own words limit namesakes), else the most populous.
        """
        found: list[Match] = []
        for candidate in _towns_of_stem(stem):
            found += [m for m in self.gaz.lookup(candidate) if m.place.country in _AREA_COUNTRIES]
        if self.regions_named:  # a town outside every region the article names is not the one meant
            found = [m for m in found if (m.place.country, m.place.admin1) in self.regions_named]
        return max(found, key=lambda m: m.place.population).place.name if found else None


_ADJECTIVE_PREFIXES = {  # "старосалтівський": Старий Салтів; "новоузенский": Новый Узень
    "старо": ("Старий", "Стара", "Старе", "Старый", "Старая", "Старое"),
    "ново": ("Новий", "Нова", "Нове", "Новый", "Новая", "Новое"),
    "велико": ("Великий", "Велика", "Велике", "Великая", "Великое"),
    "мало": ("Малий", "Мала", "Мале", "Малый", "Малая", "Малое"),
    "больше": ("Большой", "Большая", "Большое"),
    "верхне": ("Верхний", "Верхняя", "Верхнее"),
    "нижне": ("Нижний", "Нижняя", "Нижнее"),
    "верхньо": ("Верхній", "Верхня", "Верхнє"),
    "нижньо": ("Нижній", "Нижня", "Нижнє"),
}


@functools.lru_cache(maxsize=20_000)
def _towns_of_stem(stem: str) -> list[str]:
    """The names a town may have that an adjective's stem is made from ("харків" → Харків)."""
    stems = [stem]
    vowel = re.search(r"і(?=[^аеиіоуяюєї]+$)", stem)  # Ukrainian і in a closed syllable was о or е: Лозова
    if vowel:
        stems += [stem[: vowel.start()] + "о" + stem[vowel.end() :], stem[: vowel.start()] + "е" + stem[vowel.end() :]]
    out: list[str] = []
    for s in stems:
        bare = s.rstrip("ь")
        out += [_capitalised(s + e) for e in _STEM_ENDINGS] + [_capitalised(bare + "ля"), _capitalised(bare + "я")]
        for prefix, adjectives in _ADJECTIVE_PREFIXES.items():
            if s.startswith(prefix) and len(s) > len(prefix) + 2:
                rest = s[len(prefix) :]
                out += [f"{a} {_capitalised(rest + e)}" for a in adjectives for e in ("", "а", "ка", "е", "о")]
    return list(dict.fromkeys(out))


def _feminine(adjective: str) -> str:
    """The feminine of a region's adjective: "белгородский" → "белгородская"."""
    for masculine, feminine in (("ский", "ская"), ("цкий", "цкая"), ("ський", "ська"), ("цький", "цька")):
        if adjective.endswith(masculine):
            return adjective[: -len(masculine)] + feminine
    return adjective


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _combinations(options: list[list[str]]) -> Iterator[tuple[str, ...]]:
    if not options:
        yield ()
        return
    for head in options[0]:
        for tail in _combinations(options[1:]):
            yield (head, *tail)


def gloss_article(article: Article, gazetteer: Gazetteer | None = None) -> Gloss:
    """The article in English gloss (its ``language`` must be ``"ru"`` or ``"uk"``)."""
    lexicon = _lexicon(article.language)
    gaz = gazetteer or get_gazetteer()
    pieces = _Writer(article.text, lexicon, gaz).write()
    starts, text, at = [], [], 0
    for piece in pieces:
        starts.append(at)
        text.append(piece.text)
        at += len(piece.text)
    title_pieces = _Writer(article.title, lexicon, gaz).write()
    title = " ".join("".join(p.text for p in title_pieces).split())
    english = replace(article, text="".join(text), title=title or article.title)
    return Gloss(english, article, article.language, tuple(starts), tuple(pieces))


_MORE = re.compile(r"\s*\[…and \d+ more sentences?\]$")


def glossed_events(events: list[Event], gloss: Gloss) -> list[Event]:
    """Events found in the gloss, told in the original: its title, its sentences as evidence."""
    original = gloss.original
    out = []
    for event in events:
        spans = tuple(gloss.original_span(a, b) for a, b in event.evidence_spans)
        more = _MORE.search(event.evidence)
        evidence = " ".join(original.text[a:b] for a, b in spans) + (more.group() if more else "")
        out.append(
            replace(
                event,
                article_title=original.title,
                evidence=evidence,
                evidence_spans=spans,
                language=original.language,
            )
        )
    return out
