"""Offline Leaflet: the map's JavaScript and CSS come from the XStatic packages, never a CDN.

folium's page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from four CDN
hosts; with no network the map is blank (PITFALLS, « Maps and pages »). Our maps use Leaflet
and Leaflet.markercluster only (plus their own inline JavaScript), taken from
``xstatic-leaflet`` (1.9.3, the version folium 0.20 uses) and ``xstatic-leaflet-markercluster``:

- in Streamlit, :func:`installer` copies them under ``static/vendor/`` and
  :func:`actifs_statiques` gives their ``/app/static/vendor/...`` URLs (the ``st_folium``
  iframe is same-origin, ``[server] enableStaticServing = true``);
- for an exported file, :func:`html_autonome` inlines them (no external URL at all) and adds a
  Content-Security-Policy that only lets the page's own scripts run.

The URLs are set on the instances we create (``element.default_js = [...]``), never on
folium's classes: ``JSCSSMixin.add_js_link`` would otherwise mutate a list shared by every map
of the process.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.leaflet as _xs_leaflet
import xstatic.pkg.leaflet_markercluster as _xs_cluster
from folium.elements import JSCSSMixin

from ecosysteme.cartes.securite import texte_html
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_octets

#: Folder names under ``vendor/``, versioned so that a browser cache never mixes two versions.
DOSSIER_LEAFLET = f"leaflet-{_xs_leaflet.VERSION}"
DOSSIER_CLUSTER = f"leaflet.markercluster-{_xs_cluster.VERSION}"

#: folium's resource names (``Map`` and ``MarkerCluster``) → (source folder, vendor folder, file).
_FICHIERS: dict[str, tuple[str, str, str]] = {
    "leaflet": (_xs_leaflet.BASE_DIR, DOSSIER_LEAFLET, "leaflet.js"),
    "leaflet_css": (_xs_leaflet.BASE_DIR, DOSSIER_LEAFLET, "leaflet.css"),
    "markerclusterjs": (_xs_cluster.BASE_DIR, DOSSIER_CLUSTER, "leaflet.markercluster.js"),
    "markerclustercss": (_xs_cluster.BASE_DIR, DOSSIER_CLUSTER, "MarkerCluster.css"),
    "markerclusterdefaultcss": (_xs_cluster.BASE_DIR, DOSSIER_CLUSTER, "MarkerCluster.Default.css"),
}
NOMS_JS_CARTE = ("leaflet",)
NOMS_CSS_CARTE = ("leaflet_css",)
NOMS_JS_CLUSTER = ("markerclusterjs",)
NOMS_CSS_CLUSTER = ("markerclustercss", "markerclusterdefaultcss")
_PREFIXE_SUR = re.compile(r"[A-Za-z0-9._~:/-]*")


@dataclass(frozen=True)
class Actifs:
    """Where the browser finds Leaflet and MarkerCluster: (name, URL) pairs, in the format of
    folium's ``default_js`` / ``default_css`` and with folium's names (``leaflet``,
    ``leaflet_css``, ``markerclusterjs``, ``markerclustercss``, ``markerclusterdefaultcss``)."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        for nom, url in (*self.js, *self.css):
            if nom not in _FICHIERS:
                raise ErreurEcosysteme(f"ressource inconnue « {nom} » (attendu : {', '.join(_FICHIERS)}).")
            if not _PREFIXE_SUR.fullmatch(url):
                raise ErreurEcosysteme(f"adresse de ressource refusée : {url!r}.")

    def appliquer(self, element: JSCSSMixin, noms_js: tuple[str, ...], noms_css: tuple[str, ...]) -> None:
        """Set ``element``'s own ``default_js`` / ``default_css`` to the named resources."""
        element.default_js = [(n, u) for n, u in self.js if n in noms_js]
        element.default_css = [(n, u) for n, u in self.css if n in noms_css]


def actifs_statiques(prefixe: str = "/app/static/vendor") -> Actifs:
    """The resources as served by Streamlit's static serving from ``installer(Path("static"))``."""
    prefixe = prefixe.rstrip("/")
    if not _PREFIXE_SUR.fullmatch(prefixe):
        raise ErreurEcosysteme(f"préfixe d'adresse refusé : {prefixe!r} (lettres, chiffres, « ._~:/- »).")

    def url(nom: str) -> str:
        _, dossier, fichier = _FICHIERS[nom]
        return f"{prefixe}/{dossier}/{fichier}"

    return Actifs(
        js=tuple((n, url(n)) for n in (*NOMS_JS_CARTE, *NOMS_JS_CLUSTER)),
        css=tuple((n, url(n)) for n in (*NOMS_CSS_CARTE, *NOMS_CSS_CLUSTER)),
    )


def carte_sans_tuiles(
    bornes: tuple[float, float, float, float], actifs: Actifs, fond: dict[str, Any] | None = None
) -> folium.Map:
    """An empty folium map framed on ``bornes`` (ouest, sud, est, nord), no tiles, Leaflet from
    ``actifs``, with the communes' outlines ``fond`` (``geometrie.contours``) drawn grey as the
    background that needs no network."""
    x0, y0, x1, y1 = bornes
    carte = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], tiles=None, zoom_start=12, max_zoom=19)
    actifs.appliquer(carte, NOMS_JS_CARTE, NOMS_CSS_CARTE)
    carte.fit_bounds([[y0, x0], [y1, x1]])
    if fond:
        folium.GeoJson(
            fond, style_function=lambda _f: {"color": "#888888", "weight": 1, "fill": False}
        ).add_to(carte)
    return carte


# --- installing the files for static serving ----------------------------------------------------


def _a_copier() -> Iterator[tuple[Path, Path]]:
    """(source, path under ``vendor/``) of every file to serve."""
    for base, dossier, fichier in _FICHIERS.values():
        yield Path(base) / fichier, Path(dossier) / fichier
    images = Path(_xs_leaflet.BASE_DIR) / "images"
    for image in sorted(images.iterdir()):
        if image.is_file():
            yield image, Path(DOSSIER_LEAFLET) / "images" / image.name


def _ecrire_si_different(cible: Path, contenu: bytes) -> bool:
    """Write ``contenu`` to ``cible`` through a temporary file and a rename; False if the file
    already holds exactly these bytes (nothing written)."""
    if cible.is_file() and cible.read_bytes() == contenu:
        return False
    ecrire_octets(cible, contenu)
    return True


def installer(dossier_static: Path) -> Path:
    """Copy Leaflet (JS, CSS, images) and MarkerCluster into ``dossier_static/vendor/``.

    Idempotent: a file already identical is left alone; each file is written to a temporary
    file then renamed, so a browser never reads half a file. Returns the ``vendor`` folder.
    """
    vendor = Path(dossier_static) / "vendor"
    for source, relatif in _a_copier():
        _ecrire_si_different(vendor / relatif, source.read_bytes())
    return vendor


# --- self-contained HTML -------------------------------------------------------------------------


def _sans_source_map(texte: str) -> str:
    return re.sub(r"(//|/\*)# sourceMappingURL=[^\n]*", "", texte)


def _script_en_ligne(texte: str) -> str:
    """JavaScript that can sit inside ``<script>…</script>`` (no end tag, no comment opener)."""
    texte = re.sub(r"</(script)", r"<\\/\1", texte, flags=re.IGNORECASE)
    return texte.replace("<!--", "<\\!--")


@lru_cache(maxsize=8)
def _contenu_en_ligne(nom: str) -> str:
    base, _, fichier = _FICHIERS[nom]
    texte = _sans_source_map((Path(base) / fichier).read_text(encoding="utf-8"))
    if not fichier.endswith(".css"):
        return _script_en_ligne(texte)

    def image(m: re.Match[str]) -> str:
        chemin = Path(base) / m.group(1)
        if not chemin.is_file():
            return m.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(chemin.read_bytes()).decode('ascii')})"

    texte = re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", image, texte)
    return re.sub(r"</(style)", r"<\\/\1", texte, flags=re.IGNORECASE)


def _elements(racine: object) -> Iterator[object]:
    yield racine
    for enfant in getattr(racine, "_children", {}).values():
        yield from _elements(enfant)


def _hotes_tuiles(carte: folium.Map) -> list[str]:
    """CSP sources of the tile layers of ``carte`` (``https://*.tile.example.org``)."""
    hotes = []
    for e in _elements(carte):
        if isinstance(e, folium.TileLayer):
            m = re.match(r"(https?://)([^/]+)", str(e.tiles))
            if m:
                hote = re.sub(r"^\{s\}\.", "*.", m.group(2))
                if re.fullmatch(r"[A-Za-z0-9.*:-]+", hote):
                    hotes.append(m.group(1) + hote)
    return sorted(set(hotes))


def html_autonome(
    carte: folium.Map, titre: str = "Carte", sources: str | None = None, precision: str | None = None
) -> str:
    """The map as one self-contained HTML page: Leaflet and MarkerCluster inlined, no external
    script or style sheet, and a Content-Security-Policy that runs only the page's own scripts
    (by hash: an injected ``<script>`` or ``onerror=`` would not run) and loads images only from
    ``data:`` and the tile server, if the map has tiles.

    Raises :class:`ErreurEcosysteme` if the map uses a resource other than Leaflet and
    MarkerCluster (jQuery, Bootstrap…): it could not work offline. ``titre``, ``precision``
    (what the map shows: filters, parameters) and ``sources`` (the sources and date line) are
    shown over the map, escaped.
    """
    connus: dict[str, str] = {}
    for e in _elements(carte):
        if isinstance(e, JSCSSMixin):
            for nom, url in (*e.default_js, *e.default_css):
                if nom not in _FICHIERS:
                    raise ErreurEcosysteme(
                        f"la carte utilise une ressource externe « {nom} » ({url}) : "
                        "impossible de l'exporter hors ligne."
                    )
                connus[url] = nom
    page = carte.get_root().render()
    for url, nom in connus.items():
        contenu = _contenu_en_ligne(nom)
        if nom.endswith("css"):
            page = page.replace(f'<link rel="stylesheet" href="{url}"/>', f"<style>{contenu}</style>")
        else:
            page = page.replace(f'<script src="{url}"></script>', f"<script>{contenu}</script>")
    restes = re.findall(r"<script[^>]*\bsrc=|<link[^>]*\bhref=", page, flags=re.IGNORECASE)
    if restes:
        raise ErreurEcosysteme(
            f"la carte garde {len(restes)} ressource(s) externe(s) : export hors ligne refusé."
        )
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    empreintes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'"
        for s in dict.fromkeys(scripts)
    )
    images = " ".join(["data:", *_hotes_tuiles(carte)])
    csp = (
        f"default-src 'none'; script-src {empreintes}; style-src 'unsafe-inline'; img-src {images}; "
        "font-src data:; base-uri 'none'; form-action 'none'"
    )
    entete = (
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{texte_html(titre)}</title>"
    )
    page = page.replace("<head>", "<head>\n" + entete, 1)
    cartouche = (
        '<div style="position:fixed;top:8px;left:56px;z-index:1000;background:rgba(255,255,255,.92);'
        'padding:6px 10px;border-radius:4px;font:14px/1.3 sans-serif;max-width:60%">'
        f'<div style="font-weight:bold;font-size:16px">{texte_html(titre)}</div>'
        + (f'<div style="font-size:13px">{texte_html(precision)}</div>' if precision else "")
        + (f'<div style="font-size:12px;color:#444">{texte_html(sources)}</div>' if sources else "")
        + "</div>"
    )
    return re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>\n{cartouche}", page, count=1)
