"""Text from data shown through Streamlit's Markdown: every Markdown and HTML sign escaped, so a
name can neither become a link, an image (loaded from anywhere) nor markup."""

from __future__ import annotations

import re

_SPECIAUX = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


def md(texte: object) -> str:
    """``texte`` as literal Markdown text (None → empty)."""
    if texte is None:
        return ""
    return _SPECIAUX.sub(r"\\\1", str(texte).replace("\n", " "))
