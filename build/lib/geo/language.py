"""Which language an article is in: English, Russian, Ukrainian, or one we do not read.

Identification is py3langid's (the maintained fork of langid.py: a naive Bayes model over byte
n-grams, trained on 97 languages, shipped in the wheel, offline). It is loaded once per
process and only when a text needs it: a text mostly in Cyrillic script, or a long text in
Latin script that may be in another language than English.

Examples
--------
>>> detect_language("В результате обстрела Шебекино ранены двое мирных жителей.")
'ru'
>>> detect_language("Ворог обстріляв Краснопільську громаду: пошкоджено житловий будинок.")
'uk'
>>> detect_language("Shelling hit Shebekino on Monday.")
'en'
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

__all__ = ["LANGUAGE_NAMES", "READ_LANGUAGES", "detect_language", "is_cyrillic_text", "language_name"]

READ_LANGUAGES = ("en", "ru", "uk")
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "sr": "Serbian",
    "mk": "Macedonian",
    "kk": "Kazakh",
    "ky": "Kyrgyz",
    "mn": "Mongolian",
    "tt": "Tatar",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pl": "Polish",
    "pt": "Portuguese",
    "nl": "Dutch",
    "cs": "Czech",
    "ro": "Romanian",
    "tr": "Turkish",
}
_SAMPLE = 5_000  # characters looked at: enough for the model, bounded for long texts
_LATIN_MIN_WORDS = 30  # shorter Latin-script texts are read as English (names fool the model)
_LATIN_OTHER_CONFIDENCE = 0.999  # and longer ones only leave English when the model is this sure
_CYRILLIC_OTHER_CONFIDENCE = 0.99  # a Cyrillic text is read as Russian or Ukrainian unless the model is this sure


def is_cyrillic_text(text: str) -> bool:
    """Whether most letters of ``text`` (its first 20,000 characters) are Cyrillic."""
    letters = cyrillic = 0
    for ch, n in Counter(text[:20_000]).items():  # counted in C; the loop is over distinct characters
        if ch.isalpha():
            letters += n
            if 0x400 <= ord(ch) <= 0x52F:
                cyrillic += n
    return letters > 0 and cyrillic > letters / 2


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is in (``"en"`` for short Latin-script texts)."""
    sample = text[:_SAMPLE]
    if is_cyrillic_text(sample):
        ranked = _identifier().rank(sample)
        code, confidence = ranked[0]
        if code in ("ru", "uk"):
            return str(code)
        if confidence >= _CYRILLIC_OTHER_CONFIDENCE and len(sample.split()) >= _LATIN_MIN_WORDS:
            return str(code)  # Belarusian, Bulgarian, Serbian ...: a long text the model is sure of
        # a short text: the model confuses Russian with Bulgarian or Serbian; the likelier of ours
        return str(next(c for c, _ in ranked if c in ("ru", "uk")))
    if len(sample.split()) < _LATIN_MIN_WORDS:
        return "en"
    code, confidence = _identifier().classify(sample)
    return str(code) if code != "en" and confidence >= _LATIN_OTHER_CONFIDENCE else "en"


def language_name(code: str) -> str:
    """The English name of a language code (the code itself when we do not know the name)."""
    return LANGUAGE_NAMES.get(code, code)
