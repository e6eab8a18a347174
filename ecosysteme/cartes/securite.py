"""Text from data on a map: escaped before it reaches folium, HTML or JavaScript.

folium escapes nothing (PITFALLS, « Maps and pages ») and places text in three hostile places:

- HTML (tooltips, popups, layer names, legends): ``<img onerror=…>`` runs;
- JavaScript template literals: ``${…}`` runs at page load, even without a click;
- Jinja: folium renders each element's output a second time as a Jinja template (branca's
  ``Element`` compiles the text it is given), so ``{{ … }}`` inside data is evaluated *on the
  server* when the page is built — ``{{ cycler.__init__.__globals__.os… }}`` reaches Python's
  ``os`` module; an unclosed ``{#`` makes rendering fail.

:func:`texte_html` turns a value into HTML text safe in all three: ``html.escape`` plus
entities for `` ` ``, ``$``, ``\\``, ``{``, ``}`` and the two JavaScript line separators.
:func:`json_script` writes JSON that can sit inside a ``<script>`` element and survive that
second Jinja pass.
"""

from __future__ import annotations

import html
import json
import math
import re

import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement

_ENTITES = str.maketrans(
    {
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
        "{": "&#123;",
        "}": "&#125;",
        "\u2028": "&#8232;",
        "\u2029": "&#8233;",
    }
)


def texte_html(s: object) -> str:
    """``s`` as HTML text: None, NaN, NA and NaT give "", anything else is escaped (see module doc).

    The result shows the same characters once parsed as HTML, and holds none of
    ``< > & " ' ` $ \\ { }``, so it can go into a tooltip, a legend, a layer name, a JSON
    string or a JavaScript template literal without running anything.
    """
    if s is None or s is pd.NA or s is pd.NaT:
        return ""
    if isinstance(s, float | np.floating) and math.isnan(s):
        return ""
    return html.escape(str(s), quote=True).translate(_ENTITES)


def texte_brut(s: str) -> str:
    """The text behind :func:`texte_html` (entities decoded): what the user sees."""
    return html.unescape(s)


_CHAINE_JSON = re.compile(r'"(?:[^"\\]|\\.)*"')
_DANS_CHAINE = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
_HORS_CHAINE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _chaine_sans_accolade(m: re.Match[str]) -> str:
    s = m.group(0)
    return s.translate(_DANS_CHAINE) if "{" in s or "}" in s else s


def json_script(valeur: object) -> str:
    """Compact JSON safe inside ``<script>`` and through folium's second Jinja pass.

    ``<`` and ``>`` become ``\\u003c`` ``\\u003e`` (no ``</script>``, no ``<!--``), U+2028 and
    U+2029 are escaped (line terminators in old JavaScript), and ``{`` ``}`` inside strings
    become ``\\u007b`` ``\\u007d`` (JSON's own braces never form ``{{``, ``{%`` or ``{#``).
    Other characters stay as they are (UTF-8 page). The browser parses the same value.
    """
    texte = json.dumps(valeur, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    texte = _CHAINE_JSON.sub(_chaine_sans_accolade, texte)
    return texte.translate(_HORS_CHAINE)


class Brut(Element):
    """Text already rendered, added to the page as it is: never compiled as a Jinja template."""

    def __init__(self, texte: str) -> None:
        super().__init__()
        self._texte = texte

    def render(self, **kwargs: object) -> str:
        return self._texte


class SansSecondePasse(MacroElement):
    """A folium element whose rendered header, HTML and script go into the page as they are.

    branca's ``MacroElement.render`` wraps each rendered part in ``Element(texte)``, which
    compiles it as a Jinja template: data inside is evaluated a second time (``{{ … }}`` runs
    on the server) and a large layer costs a full template compilation (0.2 s for a région's
    outlines). Subclasses put this class after the folium class in their bases, so folium's own
    ``render`` (GeoJson, MarkerCluster, scripts and styles) runs first.
    """

    def render(self, **kwargs: object) -> None:  # type: ignore[override]
        figure = self.get_root()
        assert isinstance(figure, Figure), "un élément de carte se rend dans une figure"
        for partie, cible in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(partie)
            if macro is not None:
                cible.add_child(Brut(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
