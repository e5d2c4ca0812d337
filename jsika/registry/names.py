"""A search key for Indonesian names that tolerates the usual spelling variants.

Old (van Ophuijsen / Soewandi) and new (EYD) spellings, Arabic-derived names written many
ways, doubled letters and a trailing h all map to one key:
``Moch. Soedjatmiko`` ~ ``Muhamad Sujatmiko``, ``Siti Chadidjah`` ~ ``Siti Hadijah``.
"""

import re
import unicodedata

_NON_LETTERS = re.compile(r"[^a-z ]+")
_DOUBLES = re.compile(r"([a-z])\1+")
_PREFIX_WORDS = {
    "moch": "muhamad", "moh": "muhamad", "mohd": "muhamad", "muh": "muhamad", "mhd": "muhamad",
    "m": "muhamad", "mochamad": "muhamad", "mochammad": "muhamad", "mohamad": "muhamad",
    "mohammad": "muhamad", "muhammad": "muhamad", "muhamad": "muhamad", "mukhamad": "muhamad",
    "achmad": "ahmad", "akhmad": "ahmad",
}
# Order matters: old spellings first, then sounds written two ways.
_REPLACEMENTS = [
    ("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"), ("ch", "h"), ("kh", "h"),
    ("dh", "d"), ("th", "t"), ("ph", "f"), ("sh", "sy"), ("q", "k"), ("v", "f"), ("z", "j"),
    ("x", "ks"), ("y", "i"), ("ie", "i"),
]


def name_key(name: str) -> str:
    """Lower-case, old spellings modernised, doubles collapsed, trailing h dropped, per word."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = []
    for word in _NON_LETTERS.sub(" ", text).split():
        word = _PREFIX_WORDS.get(word, word)
        for old, new in _REPLACEMENTS:
            word = word.replace(old, new)
        word = _DOUBLES.sub(r"\1", word)
        if len(word) > 2 and word.endswith("h"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)
