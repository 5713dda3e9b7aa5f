"""Bad input across files, the Python API and the CLI: each gives a clear error naming the
problem, or a defined result, and never a crash, a hang or partial output."""

import json

import pandas as pd
import pytest

from framing import FramingClassifier, FramingError
from framing.cli import main
from framing.data import read_table, texts_of
from framing.training.labels import label_ids


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return FramingClassifier.from_pretrained(tiny_checkpoint)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ragged.csv", b'text,label\n"ok",Biased\n"too",many,fields,here\n', "row 2 has 4 fields but the header has 2"),
        ("utf16.csv", "text\nhello\n".encode("utf-16"), "not valid UTF-8"),
        ("latin1.tsv", b"text\ncaf\xe9\n", "not valid UTF-8"),
        ("broken.jsonl", b'{"text": "a"}\n{"text": \n', "line 2 is not valid JSON"),
        ("list.jsonl", b'["not", "an", "object"]\n', "line 1 is not a JSON object"),
        ("garbage.parquet", b"this is not parquet", "cannot read as parquet"),
        ("empty.csv", b"", "cannot read as csv"),
    ],
)
def test_unreadable_files_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FramingError, match=message) as error:
        read_table(path)
    assert name in str(error.value)


@pytest.mark.parametrize("chunk_size", [3, 1 << 20])
@pytest.mark.parametrize(
    "name, content, message",
    [
        # Issue 25, case 7: an unquoted comma in row 1 made pandas take the id column as the index
        ("first.csv", b"id,text\n1,Hello, world\n2,ok\n", "row 1 has 3 fields but the header has 2 .a comma inside"),
        # a ragged row after rows holding quoted line breaks: the row, not the line, is named
        (
            "later.csv",
            b"id,text\n" + b"".join(b'%d,"two\nlines"\n' % i for i in range(1, 8)) + b"8,a,b\n",
            "row 8 has 3 fields but the header has 2",
        ),
        ("tabs.tsv", b"id\ttext\n1\ta\n2\tb\tc\n", "row 2 has 3 fields but the header has 2 .a tab inside"),
        # fewer fields than the header: pandas filled the missing cells with empty values, exit 0
        (
            "short.csv",
            b"text,id\n" + b"".join(b'"line\nbreak",%d\n' % i for i in range(1, 6)) + b"cut short\n6th,6\n",
            "row 6 has 1 fields but the header has 2 .a field with a line break must be quoted",
        ),
        ("short.tsv", b"text\tid\tnote\na\t1\t\nb\t2\n", "row 2 has 2 fields but the header has 3"),
        # Issue 25, case 8: the error named "byte 7" of a read buffer; now the file's row and byte
        (
            "late.csv",
            b"id,text\n" + b"".join(b'%d,"caf\xc3\xa9\nrow"\n' % i for i in range(1, 2500)) + b'2500,"caf\xe9"\n',
            r"row 2500 is not valid UTF-8 \(invalid continuation byte at byte 41393 of the file\)",
        ),
        (
            "late.tsv",
            b"text\n" + b"ok\n" * 2999 + b"caf\xe9\n",
            r"row 3000 is not valid UTF-8 .* at byte 9005 of the file",
        ),
        ("header.csv", b"t\xffext\nok\n", r"the header is not valid UTF-8 \(invalid start byte at byte 1 "),
        (
            "late.jsonl",
            b'{"text": "a"}\n\n{"text": "b\xff"}\n',
            r"line 3 is not valid UTF-8 \(invalid start byte at byte 26 ",
        ),
    ],
)
def test_ragged_and_undecodable_rows_are_named_by_row_and_byte(tmp_path, name, content, message, chunk_size):
    from framing.data import read_chunks

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FramingError, match=message) as error:
        list(read_chunks(path, chunk_size))
    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


def test_empty_trailing_cells_and_blank_lines_are_not_short_rows(tmp_path):
    from framing.data import read_chunks

    path = tmp_path / "trailing.csv"
    path.write_bytes(b'\xef\xbb\xbftext,id,note\n"a\nb",1,\n\nc,2,\nd,,\n')
    rows = pd.concat(read_chunks(path, 1))
    assert rows["text"].tolist() == ["a\nb", "c", "d"] and rows["note"].isna().all()


def test_quotes_and_embedded_newlines_in_csv_are_read_as_one_row(tmp_path):
    path = tmp_path / "quoted.csv"
    pd.DataFrame({"text": ['She said "no,\nnever" twice.', "plain"]}).to_csv(path, index=False)
    assert texts_of(read_table(path), "text", str(path)) == ['She said "no,\nnever" twice.', "plain"]


def test_empty_parquet_has_no_rows(tmp_path):
    path = tmp_path / "empty.parquet"
    pd.DataFrame({"text": pd.Series([], dtype=str)}).to_parquet(path)
    with pytest.raises(FramingError, match="no rows"):
        texts_of(read_table(path), "text", str(path))


def test_missing_header_names_the_columns_found(tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("first passage\nsecond passage\n")
    with pytest.raises(FramingError, match=r"no column 'text' \(columns: first passage\)"):
        texts_of(read_table(path), "text", str(path))


def test_nan_and_numbers_in_label_column():
    frame = pd.DataFrame({"label": ["Biased", None]})
    with pytest.raises(FramingError, match="row 2, column 'label': unknown label an empty value"):
        label_ids(
            frame, "label", {"Biased": "editorializing", "Non-biased": "neutral"}, ["neutral", "editorializing"], "f"
        )
    frame = pd.DataFrame({"label": [1, 0]})
    with pytest.raises(FramingError, match="row 1, column 'label': unknown label 1"):
        label_ids(
            frame, "label", {"Biased": "editorializing", "Non-biased": "neutral"}, ["neutral", "editorializing"], "f"
        )


def test_numbers_in_text_column_are_refused_by_row(tmp_path):
    path = tmp_path / "numbers.jsonl"
    path.write_text('{"text": "fine"}\n{"text": 42}\n')
    with pytest.raises(FramingError, match="row 2, column 'text': expected text, got 42"):
        texts_of(read_table(path), "text", str(path))


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000,  # no spaces at all
        "word " * 1_000_000,  # a 5 MB passage
        "control\x00chars\x07and\x1bescapes",
        "emoji 🙂🙃 and right-to-left: مرحبا بالعالم שלום",
        "\u200b\u200d zero-width marks",
    ],
)
def test_odd_texts_get_a_defined_result(classifier, text):
    result = classifier(text, top_k=None)
    assert len(result) == 2 and abs(sum(r["score"] for r in result) - 1) < 1e-5


def test_long_passages_are_truncated_and_analyze_says_so(classifier):
    analysis = classifier.analyze("The senator spoke on Tuesday " * 60 + ".")
    assert analysis["sentences"][0]["truncated"] is True
    assert classifier.analyze("Short one.")["sentences"][0]["truncated"] is False


@pytest.mark.parametrize("bad", [None, 3, 2.5, [["nested"]], {"text": "dict"}, [b"bytes"]])
def test_non_text_inputs_are_refused(classifier, bad):
    with pytest.raises(FramingError, match="expected a string"):
        classifier(bad)


def test_config_typo_names_the_key(tmp_path, capsys):
    config = tmp_path / "typo.yaml"
    config.write_text("data:\n  train: t.csv\n  labels: {a: x, b: y}\ntrian:\n  epochs: 2\n")
    assert main(["train", "--config", str(config)]) == 2
    assert "unknown key 'trian'" in capsys.readouterr().err


def test_unwritable_output_folder_fails_before_the_work(tiny_checkpoint, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # a parent that cannot be a folder, even for root
    code = main(
        ["predict", "--checkpoint", str(tiny_checkpoint), "--output", str(blocker / "sub" / "out.jsonl"), "some text"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "cannot create folder" in err and err.count("\n") == 1


def test_predict_output_is_complete_or_absent(tiny_checkpoint, tmp_path, capsys):
    data = tmp_path / "in.csv"
    data.write_text('text\nfine\n""\n')  # row 2 is empty
    out = tmp_path / "out.jsonl"
    assert main(["predict", "--checkpoint", str(tiny_checkpoint), "--input", str(data), "--output", str(out)]) == 2
    assert "row 2, column 'text'" in capsys.readouterr().err and not out.exists()
    data.write_text("text\nfine\nalso fine\n")
    assert main(["predict", "--checkpoint", str(tiny_checkpoint), "--input", str(data), "--output", str(out)]) == 0
    assert [json.loads(line)["row"] for line in out.read_text().splitlines()] == [1, 2]
