import re
from pathlib import Path

import pytest

from framing.errors import FramingError
from framing.training.config import DEFAULT_BASE_MODEL, config_from_dict, load_config

CONFIGS = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_config_file_loads(path):
    config = load_config(path)
    assert config.data.labels and len(config.data.label_names) >= 2


def test_babe_config_maps_labels_in_order():
    config = load_config(Path(__file__).resolve().parent.parent / "configs" / "babe.yaml")
    assert config.data.label_names == ["neutral", "editorializing"]
    assert config.data.labels["Biased"] == "editorializing"
    assert config.model.base == DEFAULT_BASE_MODEL


def write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


BASE = "data:\n  train: t.csv\n  labels: {a: x, b: y}\n"


def test_defaults_fill_what_yaml_leaves_out(tmp_path):
    config = load_config(write(tmp_path, BASE))
    assert config.train.epochs == 4 and config.data.text_column == "text"


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(FramingError, match=r"unknown key 'train\.learning_rate'"):
        load_config(write(tmp_path, BASE + "train:\n  learning_rate: 0.1\n"))


def test_bad_value_is_named(tmp_path):
    with pytest.raises(FramingError, match=r"'train\.epochs'"):
        load_config(write(tmp_path, BASE + "train:\n  epochs: -2\n"))


def test_missing_required_key_is_named(tmp_path):
    with pytest.raises(FramingError, match=r"missing key 'data\.train'"):
        load_config(write(tmp_path, "data:\n  labels: {a: x, b: y}\n"))


def test_overrides_are_type_checked(tmp_path):
    path = write(tmp_path, BASE)
    assert load_config(path, ["train.lr=3e-5"]).train.lr == pytest.approx(3e-5)
    assert load_config(path, ["train.batch_size=8"]).train.batch_size == 8
    with pytest.raises(FramingError, match=r"'train\.batch_size'"):
        load_config(path, ["train.batch_size=big"])
    with pytest.raises(FramingError, match=r"unknown key 'train\.nope'"):
        load_config(path, ["train.nope=1"])
    with pytest.raises(FramingError, match="KEY=VALUE"):
        load_config(path, ["train.lr"])


def test_an_override_reaches_one_item_of_a_list(tmp_path):
    path = write(
        tmp_path, BASE + "mixed:\n  - {data: a.csv, labels: {a: x, b: y}}\n  - {data: b.csv, labels: {a: x, b: y}}\n"
    )
    config = load_config(path, ["mixed.1.max_examples=9000"])
    assert [m.max_examples for m in config.mixed] == [None, 9000]
    with pytest.raises(FramingError, match="'2' is not an item of a list of 2"):
        load_config(path, ["mixed.2.weight=0.5"])
    with pytest.raises(FramingError, match="replace a list item"):
        load_config(path, ["mixed.0=x"])


def test_paired_options_must_come_together():
    with pytest.raises(FramingError, match="votes_column"):
        config_from_dict({"data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}, "votes_column": "v"}})
    with pytest.raises(FramingError, match="aux_label_column"):
        config_from_dict({"data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}, "aux_label_column": "o"}})


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(FramingError, match="not found"):
        load_config(tmp_path / "none.yaml")
    with pytest.raises(FramingError, match="not valid YAML"):
        load_config(write(tmp_path, "data: [unclosed\n"))


def test_resolved_config_round_trips_through_yaml(tmp_path):
    config = load_config(write(tmp_path, BASE + "train:\n  lr: 0.0001\n"))
    again = load_config(write(tmp_path, config.to_yaml()))
    assert again == config


def test_labels_that_collapse_to_one_name_are_a_config_error():
    with pytest.raises(FramingError, match="at least two label names"):
        config_from_dict({"data": {"train": "t.csv", "labels": {"pro": "x", "anti": "x", "none": "x"}}})


def test_a_config_saved_before_a_key_was_renamed_is_migrated(monkeypatch):
    """A checkpoint's training_config.yaml of an older schema still loads: its keys are moved."""
    import framing.training.config as config_module

    def rename_lr(raw):  # schema 1 -> 2: train.lr became train.learning_rate (a hypothetical rename)
        raw["train"]["learning_rate"] = raw["train"].pop("lr")

    old = {"data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}}, "train": {"lr": 3e-5}}
    monkeypatch.setattr(config_module, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(config_module.MIGRATIONS, 1, rename_lr)
    migrated = config_module.migrate(old)
    assert migrated["version"] == 2 and migrated["train"] == {"learning_rate": 3e-5}
    assert old["train"] == {"lr": 3e-5}  # the caller's dict is not changed
    with pytest.raises(FramingError, match="schema version 3"):
        config_module.migrate({**old, "version": 3})


def test_the_current_schema_version_is_written_with_every_resolved_config():
    config = config_from_dict({"data": {"train": "t.csv", "labels": {"a": "x", "b": "y"}}})
    assert "version: 1" in config.to_yaml()


@pytest.mark.parametrize("value", ["train.lr=[", "train.lr={a", "intermediate.labels={x: [}"])
def test_an_override_that_is_not_yaml_is_one_line_naming_the_key(tmp_path, value):
    # Issue 25, case 5: was a yaml traceback
    with pytest.raises(
        FramingError,
        match=rf"override '{re.escape(value)}'.*'{value.split('=')[0]}' is not valid "
        r"YAML \(.*line 1, column \d+\)",
    ) as caught:
        load_config(write(tmp_path, BASE), [value])
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_yaml_is_one_line_with_line_and_column(tmp_path):
    path = write(tmp_path, BASE + "train:\n  lr: [1, 2\n  epochs: 3\n")
    with pytest.raises(FramingError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: not valid YAML (")
    assert re.search(r"line \d+, column \d+\)$", message), message


def test_a_config_extends_another_holding_only_the_difference(tmp_path):
    (tmp_path / "base.yaml").write_text(
        BASE + "  about: {name: Data, license: mit}\ntrain:\n  epochs: 3\n  lr: 0.001\n"
        "mixed:\n  - {data: a.csv, labels: {a: x, b: y}}\n"
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: base.yaml\ndata:\n  labels: {c: x, d: y}\n  about: {license: agpl-3.0}\n"
        "train:\n  epochs: 5\nmixed: []\n"
    )
    config = load_config(child)
    assert config.train.epochs == 5 and config.train.lr == pytest.approx(0.001)  # sections merge key by key
    assert config.data.train == "t.csv" and config.data.about.name == "Data" and config.data.about.license == "agpl-3.0"
    assert config.data.labels == {"c": "x", "d": "y"}  # a label mapping is one value: replaced whole
    assert config.mixed == []  # a list replaces
    assert load_config(child, ["train.epochs=7"]).train.epochs == 7  # overrides apply to the merged config


def test_extends_chains_and_each_parent_is_found_from_its_own_folder(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "a.yaml").write_text(BASE + "train:\n  epochs: 2\n")
    (tmp_path / "base" / "b.yaml").write_text("extends: a.yaml\ntrain:\n  lr: 0.002\n")
    (tmp_path / "c.yaml").write_text("extends: base/b.yaml\nname: c\nintermediate: null\n")
    config = load_config(tmp_path / "c.yaml")
    assert (config.name, config.train.epochs, config.train.lr) == ("c", 2, pytest.approx(0.002))


def test_an_extends_cycle_is_refused_in_one_line_naming_the_files(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n" + BASE)
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(FramingError) as caught:
        load_config(tmp_path / "a.yaml")
    message = str(caught.value)
    assert "\n" not in message and "cycle" in message
    assert f"{tmp_path / 'a.yaml'} -> {tmp_path / 'b.yaml'} -> {tmp_path / 'a.yaml'}" in message


def test_a_missing_parent_is_refused_naming_the_child_and_the_parent(tmp_path):
    (tmp_path / "c.yaml").write_text("extends: gone.yaml\n" + BASE)
    with pytest.raises(
        FramingError,
        match=rf"^{re.escape(str(tmp_path / 'c.yaml'))}: 'extends': no such file "
        rf"{re.escape(str(tmp_path / 'gone.yaml'))}$",
    ):
        load_config(tmp_path / "c.yaml")
    (tmp_path / "d.yaml").write_text("extends: [a.yaml]\n" + BASE)
    with pytest.raises(FramingError, match="'extends': expected the file name of another config"):
        load_config(tmp_path / "d.yaml")


def test_data_paths_start_from_the_data_root(tmp_path, monkeypatch):
    text = (
        "data:\n  train: ${FRAMING_DATA}/babe/train.csv\n  extra_train:\n    - ${FRAMING_DATA}/x.csv\n"
        "  labels: {a: x, b: y}\ndistill:\n  scores: [other/scores.parquet]\n"
    )
    monkeypatch.delenv("FRAMING_DATA", raising=False)
    config = load_config(write(tmp_path, text))
    assert config.data.train == "../shared/data/babe/train.csv"  # the default, from the current folder as before
    assert config.data.extra_train == ["../shared/data/x.csv"] and config.distill.scores == ["other/scores.parquet"]
    monkeypatch.setenv("FRAMING_DATA", "/mnt/data/")
    assert load_config(write(tmp_path, text)).data.train == "/mnt/data/babe/train.csv"
    assert load_config(write(tmp_path, text), ["data.dev=${FRAMING_DATA}/dev.csv"]).data.dev == "/mnt/data/dev.csv"


def test_an_unknown_variable_in_a_path_is_refused_naming_file_key_and_value(tmp_path):
    path = write(tmp_path, "data:\n  train: ${FRAMING_DAT}/t.csv\n  labels: {a: x, b: y}\n")
    with pytest.raises(FramingError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: 'data.train': unknown variable ${{FRAMING_DAT}}")
    assert "'${FRAMING_DAT}/t.csv'" in message and "${FRAMING_DATA}" in message


def test_a_path_under_the_data_root_is_recorded_from_it(monkeypatch, tmp_path):
    from framing.training.config_files import expand_data_root, portable_path

    monkeypatch.setenv("FRAMING_DATA", str(tmp_path / "data"))
    (tmp_path / "data" / "babe").mkdir(parents=True)
    (tmp_path / "data" / "babe" / "dev.csv").write_text("text,label\n")
    recorded = portable_path(str(tmp_path / "data" / "babe" / "dev.csv"))
    assert recorded == "${FRAMING_DATA}/babe/dev.csv"
    assert expand_data_root(recorded) == str(tmp_path / "data" / "babe" / "dev.csv")
    assert portable_path("mine.csv") == "mine.csv" and portable_path(str(tmp_path / "database.csv")).endswith(".csv")
    assert not portable_path(str(tmp_path / "database.csv")).startswith("${")
    # a hub id stays one even where the data root holds the working folder
    monkeypatch.chdir(tmp_path / "data")
    monkeypatch.setenv("FRAMING_DATA", str(tmp_path))
    assert portable_path("mediabiasgroup/BABE") == "mediabiasgroup/BABE"
