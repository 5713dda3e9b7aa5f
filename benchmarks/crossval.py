"""K-fold cross-validation of a training config against the TF-IDF baseline on the same folds.

    python benchmarks/crossval.py --config configs/babe.yaml --folds 5 [--output cv.json]

The same as `framing crossval`; see training/crossval.py for the protocol. Prints per-fold
and mean ± sd macro-F1 for the model and the baseline.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from framing.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["crossval", *sys.argv[1:]]))
