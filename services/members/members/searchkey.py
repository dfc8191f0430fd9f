"""The accent-insensitive search key (pure): Vietnamese users type "nguyen van an" for "Nguyễn Văn An"."""
from __future__ import annotations

import unicodedata

_FOLD = str.maketrans({"đ": "d", "Đ": "d"})  # đ is a letter of its own, not d with a mark: NFD keeps it


def search_key(text: str | None) -> str:
    """Lower case, without diacritics, đ → d, single spaces: "  Nguyễn  Văn Ấn " → "nguyen van an"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
