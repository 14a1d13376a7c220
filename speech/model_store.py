"""Vosk models installed by staff into the kiosk's data directory.

Models are large downloads the kiosk never fetches itself (it runs offline); staff copy
a model zip from alphacephei.com/vosk/models onto the machine and run `kiosk models add`.
Each model lives in `DATA_DIR/models/NAME/` next to a small `kiosk-model.json` saying
which language it is for, so the kiosk can pick one without guessing at start-up.
The model is loaded once while installing: a model that will not load is refused then,
not discovered by a resident at the kiosk.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import ModelError, ModelInstallError
from .vosk_engine import load_vosk_model
from .vosk_lexicon import read_model_lexicon

MODELS_DIR = "models"
"""Sub-directory of the data directory holding installed models."""

MANIFEST = "kiosk-model.json"
"""Written next to each installed model's folder."""

MODEL_MARKER = Path("am") / "final.mdl"
"""Every Vosk model folder has its acoustic model here; it tells the model root apart."""

LANGUAGE_HINTS: dict[str, str] = {"cn": "zh", "zh": "zh", "en": "en", "us": "en", "ko": "ko", "ja": "ja"}
"""Language codes found in model names (vosk-model-small-cn-0.22 → zh)."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class InstalledModel:
    """One model in the data directory."""

    name: str
    """Folder name, e.g. "vosk-model-small-cn-0.22"."""

    lang: str
    """Language it recognises ("zh", "en", or the model's own such as "ko")."""

    path: Path
    """The model folder (the one holding am/, conf/, graph/)."""

    words: int
    """Words in its lexicon (0 when the model has no readable word table)."""

    grammar_support: bool
    """Whether it can be restricted to the catalogue (small "lookahead" models can; big static ones cannot)."""

    installed_at: str
    """ISO time of installation."""


class ModelStore:
    """The `models/` directory of one kiosk data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / MODELS_DIR

    def installed(self) -> list[InstalledModel]:
        """Installed models, newest first."""
        models = []
        if self.directory.is_dir():
            for manifest in self.directory.glob(f"*/{MANIFEST}"):
                try:
                    models.append(_read_manifest(manifest))
                except (OSError, ValueError, KeyError, TypeError):
                    continue  # a half-removed model: skip it rather than stop the kiosk
        return sorted(models, key=lambda m: m.installed_at, reverse=True)

    def find(self, lang: str) -> InstalledModel | None:
        """The newest installed model for `lang`, if any."""
        return next((m for m in self.installed() if m.lang == lang), None)

    def add(
        self, source: Path, lang: str | None = None, name: str | None = None, replace: bool = False
    ) -> InstalledModel:
        """Install a model from a zip file or an unpacked folder; it must load before it is kept."""
        if not source.exists():
            raise ModelInstallError(f"{source}: no such file or folder")
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.directory, prefix=".installing-") as staging:
            unpacked = Path(staging) / "unpacked"
            if source.is_dir():
                shutil.copytree(source, unpacked)
            else:
                _unzip(source, unpacked)
            root = _model_root(unpacked, source)
            model_name = name or (root.name if root != unpacked else source.name.removesuffix(".zip"))
            model_lang = lang or guess_language(model_name)
            _check_name_and_language(model_name, model_lang)
            assert model_lang is not None
            try:
                load_vosk_model(root)
            except ModelError as exc:
                raise ModelInstallError(f"{source} holds a model that does not load: {exc}") from None
            target = self.directory / model_name
            if target.exists() and not replace:
                raise ModelInstallError(f"a model named {model_name} is already installed (--replace overwrites it)")
            staged = Path(staging) / "installed"
            staged.mkdir()
            shutil.move(str(root), staged / "model")
            installed = _describe(model_name, model_lang, staged / "model")
            manifest = {**asdict(installed), "path": None, "source": str(source)}
            (staged / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            staged.rename(target)
        return dataclasses.replace(installed, path=target / "model")


def _describe(name: str, lang: str, root: Path) -> InstalledModel:
    try:
        words = len(read_model_lexicon(root).words)
    except ModelError:
        words = 0
    grammar_support = (root / "graph" / "HCLr.fst").is_file() and (root / "graph" / "Gr.fst").is_file()
    return InstalledModel(name, lang, root, words, grammar_support, datetime.now(UTC).isoformat(timespec="seconds"))


def _read_manifest(manifest: Path) -> InstalledModel:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return InstalledModel(
        data["name"], data["lang"], manifest.parent / "model", int(data["words"]), bool(data["grammar_support"]),
        data["installed_at"],
    )  # fmt: skip


def _check_name_and_language(name: str, lang: str | None) -> None:
    if not _NAME.match(name):
        raise ModelInstallError(f"{name!r} cannot be a model name: use letters, digits, '.', '-' or '_'")
    if lang is None:
        raise ModelInstallError(
            f"cannot tell which language {name} is for: give it with --lang (zh for Mandarin, en for English)"
        )


def guess_language(model_name: str) -> str | None:
    """The language a model's name says (vosk-model-small-cn-0.22 → zh), if it says one."""
    for part in re.split(r"[-_.]", model_name.lower()):
        if part in LANGUAGE_HINTS:
            return LANGUAGE_HINTS[part]
    return None


def _unzip(archive: Path, target: Path) -> None:
    if not zipfile.is_zipfile(archive):
        raise ModelInstallError(
            f"{archive} is not a zip archive (or is damaged, e.g. a download cut short); "
            "give a Vosk model .zip as downloaded, or the unpacked model folder"
        )
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                destination = (target / member.filename).resolve()
                if not destination.is_relative_to(target.resolve()):
                    raise ModelInstallError(f"{archive} tries to write outside its folder ({member.filename}); refused")
            bundle.extractall(target)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelInstallError(f"{archive} cannot be unpacked ({exc}); download it again") from None


def _model_root(unpacked: Path, source: Path) -> Path:
    """The folder holding am/final.mdl: the top folder or the single one a model zip usually has."""
    candidates = sorted({p.parent.parent for p in unpacked.rglob(str(MODEL_MARKER))}, key=lambda p: len(p.parts))
    if not candidates:
        raise ModelInstallError(
            f"{source} does not hold a Vosk model (no am/final.mdl inside); models are at alphacephei.com/vosk/models"
        )
    return candidates[0]


