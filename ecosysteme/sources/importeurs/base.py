"""The import report shared by every importer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Probleme:
    """One problem of one row: rejected rows carry one per reason, warnings keep the row."""

    ligne: int | None
    champ: str | None
    message: str

    def texte(self, fichier: str) -> str:
        parts = [f"fichier « {fichier} »"]
        if self.ligne is not None:
            parts.append(f"ligne {self.ligne}")
        if self.champ:
            parts.append(f"champ « {self.champ} »")
        return f"{', '.join(parts)} : {self.message}"


@dataclass
class RapportImport:
    """What an import read, kept, rejected (with reasons) and warned about."""

    fichier: str
    format: str
    lignes_lues: int = 0
    acceptees: int = 0
    #: Rows outside the requested territory (not rejected, not stored).
    ignorees: int = 0
    rejets: list[Probleme] = field(default_factory=list)
    avertissements: list[Probleme] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    simulation: bool = False
    lot_id: int | None = None
    crees: int = 0
    mis_a_jour: int = 0
    sha256: str | None = None
    duree_s: float = 0.0

    @property
    def rejetees(self) -> int:
        """Number of distinct rejected rows."""
        return len({p.ligne for p in self.rejets})

    def rejeter(self, ligne: int | None, champ: str | None, message: str) -> None:
        self.rejets.append(Probleme(ligne, champ, message))

    def avertir(self, ligne: int | None, champ: str | None, message: str) -> None:
        self.avertissements.append(Probleme(ligne, champ, message))

    def resume(self, max_lignes: int = 20) -> str:
        """A French summary for the terminal or the app."""
        mode = " (simulation : rien n'a été enregistré)" if self.simulation else ""
        lines = [
            f"Import « {self.fichier} » au format {self.format}{mode}",
            f"  lignes lues : {self.lignes_lues} ; acceptées : {self.acceptees} ; "
            f"rejetées : {self.rejetees}"
            + (f" ; hors territoire : {self.ignorees}" if self.ignorees else ""),
        ]
        if not self.simulation and self.lot_id is not None:
            lines.append(
                f"  lot d'import n° {self.lot_id} : {self.crees} créés, {self.mis_a_jour} mis à jour"
            )
        lines.extend(f"  {i}" for i in self.infos)
        if self.rejets:
            lines.append("  Rejets :")
            lines.extend(f"    - {p.texte(self.fichier)}" for p in self.rejets[:max_lignes])
            if len(self.rejets) > max_lignes:
                lines.append(f"    … et {len(self.rejets) - max_lignes} autres")
        if self.avertissements:
            lines.append(f"  Avertissements ({len(self.avertissements)}) :")
            lines.extend(f"    - {p.texte(self.fichier)}" for p in self.avertissements[:max_lignes])
            if len(self.avertissements) > max_lignes:
                lines.append(f"    … et {len(self.avertissements) - max_lignes} autres")
        return "\n".join(lines)

    def en_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rejetees"] = self.rejetees
        return d
