"""The browser extension (the repository's extension/, installed as framing.extension):
written out as a folder to load unpacked, or as a zip to share or upload to a store."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from framing.output import atomic_file, atomic_folder, ensure_writable

# Chromium derives an extension's id from the public key in its manifest: with the key fixed,
# the id (and so the origin `framing serve --allow-origin` names) is the same on every machine.
EXTENSION_ID = "mohjkanpfmgnhgblbikihgoojefidmpc"
ORIGIN = f"chrome-extension://{EXTENSION_ID}"


_PACKAGE = Path(__file__).resolve().parent
# A wheel carries the extension inside the package (framing/extension/); a source checkout
# keeps it in the repository's top-level extension/ folder (as with the shipped checkpoint).
EXTENSION_DIR = next(
    (
        folder
        for folder in (_PACKAGE / "extension", _PACKAGE.parent / "extension")
        if (folder / "manifest.json").is_file()
    ),
    _PACKAGE / "extension",
)


def extension_files() -> dict[str, bytes]:
    """{name: contents} of the extension's files."""
    return {
        path.name: path.read_bytes()
        for path in sorted(EXTENSION_DIR.iterdir())
        if path.is_file() and not path.name.startswith(("_", "."))
    }


def write_extension(target: str | Path, overwrite: bool = False) -> Path:
    """The extension as `target`: a .zip archive, or else an unpacked folder. Returns it."""
    target = Path(target)
    files = extension_files()
    json.loads(files["manifest.json"])  # a broken manifest is a packaging bug: fail before writing
    if target.suffix.lower() == ".zip":
        ensure_writable(target, overwrite)
        with atomic_file(target) as staging, zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return target
    with atomic_folder(target, overwrite, kind="extension") as staging:
        for name, data in files.items():
            (staging / name).write_bytes(data)
    return target
