import json

import pandas as pd
import pytest

from framing.data import read_table, texts_of
from framing.errors import FramingError
from framing.training.labels import label_ids, word_lists

ROWS = [
    {"text": "First passage.", "label": "Biased"},
    {"text": 'Second, with "quotes"\nand a newline.', "label": "Non-biased"},
    {"text": "Third.", "label": "Biased"},
]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_formats_read_the_same_rows_in_order(tmp_path, suffix):
    path = tmp_path / f"data{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":  # tab-separated, one row per line, quotes as text: no newline inside a field
        frame["text"] = frame["text"].str.replace("\n", " ")
        path.write_text("text\tlabel\n" + "".join(f"{t}\t{label}\n" for t, label in zip(frame["text"], frame["label"])))
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    else:
        frame.to_parquet(path)
    assert texts_of(read_table(path), "text", str(path)) == frame["text"].tolist()


def test_txt_is_one_passage_per_nonblank_line(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one\n\ntwo\n")
    assert read_table(path)["text"].tolist() == ["one", "two"]


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(FramingError, match=r"unknown file format '\.xlsx'"):
        read_table(tmp_path / "a.xlsx")
    with pytest.raises(FramingError, match="file not found"):
        read_table(tmp_path / "a.csv")


def test_missing_column_lists_existing_columns(tmp_path):
    path = tmp_path / "a.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    with pytest.raises(FramingError, match=r"no column 'sentence' \(columns: text, label\)"):
        texts_of(read_table(path), "sentence", str(path))


def test_empty_text_is_named_by_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('text\nfine\n"  "\n')
    with pytest.raises(FramingError, match=r"row 2, column 'text': empty text"):
        texts_of(read_table(path), "text", str(path))
    path.write_text("text,other\nfine,1\n,2\n")
    with pytest.raises(FramingError, match=r"row 2, column 'text': expected text, got an empty value"):
        texts_of(read_table(path), "text", str(path))


def test_broken_jsonl_line_is_named(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "ok"}\n{"text": broken}\n')
    with pytest.raises(FramingError, match="line 2 is not valid JSON"):
        read_table(path)


def test_invalid_utf8_is_reported(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"caf\xe9\n")
    with pytest.raises(FramingError, match="not valid UTF-8"):
        read_table(path)


def test_labels_map_raw_values_and_names_and_refuse_unknown():
    frame = pd.DataFrame({"label": ["Biased", "Non-biased", "editorializing"]})
    mapping = {"Non-biased": "neutral", "Biased": "editorializing"}
    assert label_ids(frame, "label", mapping, ["neutral", "editorializing"], "f") == [1, 0, 1]
    frame = pd.DataFrame({"label": ["Biased", "No agreement"]})
    with pytest.raises(FramingError, match=r"row 2, column 'label': unknown label 'No agreement'"):
        label_ids(frame, "label", mapping, ["neutral", "editorializing"], "f")


def test_word_lists_parse_literals_and_refuse_garbage():
    frame = pd.DataFrame({"w": ["['a', 'b c']", "[]", None]})
    assert word_lists(frame, "w", "f") == [["a", "b c"], [], []]
    with pytest.raises(FramingError, match="row 1, column 'w': not a list of words"):
        word_lists(pd.DataFrame({"w": ["[oops"]}), "w", "f")


def test_a_folder_of_files_is_read_in_name_order(tmp_path):
    from framing.training.labels import load_table

    pd.DataFrame(ROWS[:2]).to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / "b.jsonl").write_text(json.dumps(ROWS[2]) + "\n")
    (tmp_path / "notes.md").write_text("ignored")
    assert load_table(str(tmp_path))["text"].tolist() == [r["text"] for r in ROWS]
    (tmp_path / "c.csv").write_text("sentence\nother\n")
    with pytest.raises(FramingError, match="c.csv: columns"):
        load_table(str(tmp_path))


def test_an_empty_folder_is_an_error(tmp_path):
    from framing.training.labels import load_table

    with pytest.raises(FramingError, match="no .* files in this folder"):
        load_table(str(tmp_path))


def test_rows_left_out_by_drop_labels_keep_their_file_row_numbers(tmp_path):
    from framing.training.labels import label_ids, without_labels

    path = tmp_path / "gold.csv"
    pd.DataFrame({"text": list("abcde"), "label": ["Biased", "No agreement", "Non-biased", "Maybe", "Biased"]}).to_csv(
        path, index=False
    )
    frame = without_labels(read_table(path), "label", ["No agreement"], str(path))
    with pytest.raises(FramingError, match="row 4, column 'label': unknown label 'Maybe'"):
        label_ids(
            frame,
            "label",
            {"Biased": "editorializing", "Non-biased": "neutral"},
            ["neutral", "editorializing"],
            str(path),
        )


def test_txt_and_jsonl_rows_are_line_numbers_and_a_bom_is_dropped(tmp_path):
    from framing.data import read_chunks, row_numbers

    txt = tmp_path / "in.txt"
    txt.write_bytes("\ufefffirst passage\n\nsecond passage\n\n\nthird passage\n".encode("utf-8"))
    frames = list(read_chunks(txt, 2))
    assert [row_numbers(f) for f in frames] == [[1, 3], [6]]
    assert frames[0]["text"].tolist() == ["first passage", "second passage"]  # no BOM inside the first passage
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes('\ufeff{"text": "a"}\n\n{"text": "b"}\n'.encode("utf-8"))
    assert row_numbers(read_table(jsonl)) == [1, 3] and read_table(jsonl)["text"].tolist() == ["a", "b"]


def test_parquet_chunks_number_rows_of_the_file(tmp_path):
    from framing.data import read_chunks, row_numbers

    path = tmp_path / "in.parquet"
    pd.DataFrame({"text": [f"t{i}" for i in range(7)]}).to_parquet(path)
    assert [row_numbers(f) for f in read_chunks(path, 3)] == [[1, 2, 3], [4, 5, 6], [7]]


def test_tsv_quotes_are_text_not_csv_quoting(tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text('text\tid\n"This is a disgrace," he said.\t1\nAn "unbalanced quote\t2\nthird\t3\nfourth\t4\n')
    frame = read_table(path)
    assert frame["text"].tolist() == ['"This is a disgrace," he said.', 'An "unbalanced quote', "third", "fourth"]
    from framing.data import read_chunks

    assert sum(len(f) for f in read_chunks(path, 2)) == 4
