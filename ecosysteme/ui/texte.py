"""Text from data shown through Streamlit's Markdown: every Markdown and HTML sign escaped (and an
invisible word joiner inside « :// », « www. » and before « @ », which stops the autolinks of
``http://…``, ``www.…`` and e-mail addresses), so a name can neither become a link, an image (loaded from
anywhere) nor markup; invisible characters (controls, bidirectional overrides, lone surrogates)
removed first, as on entry.

Every ``st.success`` / ``st.error`` / ``st.warning`` / ``st.info`` / ``st.markdown`` /
``st.caption`` / ``st.subheader``, every widget label and every ``st.radio`` option (radio options
are Markdown too) that holds a text from the data or from a user goes through :func:`md`.
``st.selectbox`` / ``st.multiselect`` options and ``st.dataframe`` cells are plain text already."""

from __future__ import annotations

import re

from ecosysteme.domaine.validation import sans_controles

_SPECIAUX = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=@])")
#: Streamlit's Markdown turns ``http://…``, ``www.…`` and e-mail addresses into links after
#: parsing, on the text itself (escapes and character references do not stop it): an invisible
#: WORD JOINER (U+2060) before « :// » and « @ » and after a « www » before a dot breaks those
#: patterns, and shows nothing.
_LIENS = re.compile(r"(?=\\://)|(?=\\@)|(?<=www)(?=\\\.)", re.IGNORECASE)
JOINTURE = "\u2060"


def md(texte: object) -> str:
    """``texte`` as literal Markdown text on one line (None → empty)."""
    if texte is None:
        return ""
    return _LIENS.sub(JOINTURE, _SPECIAUX.sub(r"\\\1", sans_controles(str(texte), lignes=False)))
