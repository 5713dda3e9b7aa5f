"""Weight-space averaging experiments on checkpoints of one recipe (issue 24): does averaging
runs buy robustness on news the training never saw, at no cost in speed or size?

    # a uniform "model soup" (Wortsman et al., ICML 2022) of runs that differ only in seed
    python benchmarks/weight_averaging.py soup runs/soup/soup3 runs/soup/seed43 runs/soup/shared44 runs/soup/shared45
    # WiSE-FT (Wortsman et al., CVPR 2022): alpha of the final weights, 1 - alpha of the
    # intermediate (anno-lexical) stage's, read from a training state saved at that stage's end
    python benchmarks/weight_averaging.py interpolate runs/soup/wise runs/soup/seed43 \
        --intermediate-state runs/soup/seed43-intermediate.state.pt --alpha 0.7

The new folder is a copy of the first checkpoint with averaged weights (stored in its dtype),
uncalibrated and without a back end: the first checkpoint's calibration, back-end choice, ONNX
files, dev metrics and model card describe other weights, so they are left out. Run `framing
export` and `framing calibrate` on it before measuring. Averaging only makes sense for runs that started from the same
weights (the same base model and intermediate stage); the heads are linear, so their
averages stay meaningful.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402

from framing.checkpoint import HEADS_FILE, META_FILE, read_meta  # noqa: E402
from framing.checkpoint import WEIGHT_FILES as CHECKPOINT_WEIGHT_FILES
from framing.output import atomic_folder  # noqa: E402
from framing.training.train import average_states  # noqa: E402

# The checkpoint's weight files -> their keys' prefix in FramingModel's state (a training state)
WEIGHT_FILES = {name: "" if name == HEADS_FILE else "classifier." for name in CHECKPOINT_WEIGHT_FILES}


def mixed(states: list[dict[str, torch.Tensor]], shares: list[float]) -> dict[str, torch.Tensor]:
    """sum_i shares[i] * states[i], key by key, stored back in the first state's dtypes."""
    return {key: value.to(states[0][key].dtype) for key, value in average_states(states, shares).items()}


def write_averaged(output: Path, template: Path, weights: dict[str, dict[str, torch.Tensor]], overwrite: bool) -> None:
    """The checkpoint `template` with its weight files replaced and what described its own
    weights left out: ONNX files, dev metrics, model card, calibration and back-end choice."""
    stale = {*WEIGHT_FILES, META_FILE, "metrics.json", "README.md"}
    with atomic_folder(output, overwrite) as staging:
        for item in template.iterdir():
            if item.is_file() and item.name not in stale and not item.name.endswith((".onnx", ".onnx.sha256")):
                shutil.copy(item, staging / item.name)
        # the word threshold (and a multi-label run's thresholds) stay the template's until
        # `framing calibrate` refits them: a soup of runs of one recipe shares their scale
        uncalibrated = read_meta(template).model_copy(
            update={"temperature": 1.0, "logit_bias": [], "calibration": None, "runtime": None}
        )
        (staging / META_FILE).write_text(uncalibrated.to_json(), encoding="utf-8")
        for name, state in weights.items():
            save_file(state, str(staging / name), metadata={"format": "pt"})


def soup(folders: list[Path]) -> dict[str, dict[str, torch.Tensor]]:
    return {
        name: mixed([load_file(f / name) for f in folders], [1 / len(folders)] * len(folders)) for name in WEIGHT_FILES
    }


def interpolate(final: Path, state_file: Path, alpha: float) -> dict[str, dict[str, torch.Tensor]]:
    saved = torch.load(state_file, map_location="cpu", weights_only=True)
    if saved.get("stage") != "intermediate":
        sys.exit(f"{state_file}: not a state saved at the intermediate stage (stage {saved.get('stage')!r})")
    out = {}
    for name, prefix in WEIGHT_FILES.items():
        end = load_file(final / name)
        start = {key: saved["model"][prefix + key] for key in end}
        out[name] = mixed([end, start], [alpha, 1 - alpha])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("soup", help="uniform average of two or more checkpoints")
    one.add_argument("output", type=Path)
    one.add_argument("checkpoints", type=Path, nargs="+")
    two = commands.add_parser("interpolate", help="final weights towards the intermediate stage's")
    two.add_argument("output", type=Path)
    two.add_argument("checkpoint", type=Path)
    two.add_argument("--intermediate-state", type=Path, required=True)
    two.add_argument("--alpha", type=float, required=True, help="share of the final weights, 0..1")
    for command in (one, two):
        command.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    if args.command == "soup":
        if len(args.checkpoints) < 2:
            parser.error("a soup needs two or more checkpoints")
        write_averaged(args.output, args.checkpoints[0], soup(args.checkpoints), args.overwrite)
    else:
        if not 0 <= args.alpha <= 1:
            parser.error(f"--alpha must be within 0..1, got {args.alpha}")
        write_averaged(
            args.output,
            args.checkpoint,
            interpolate(args.checkpoint, args.intermediate_state, args.alpha),
            args.overwrite,
        )
    print(f"wrote {args.output}; run `framing export` and `framing calibrate` on it before measuring")


if __name__ == "__main__":
    main()
