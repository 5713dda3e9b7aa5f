"""Training, evaluation and baselines: turn a config and data into a checkpoint folder, and
measure checkpoints. Imports the library core in `framing/`; `framing/` never imports this."""
