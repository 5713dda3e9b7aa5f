"""The HTTP load test in a short form (its full form: benchmarks/load_test.py --clients 50
--requests 2000): concurrent clients, mixed predict/analyze requests with oversized and
malformed ones among them, on loopback, against a server on the tiny checkpoint."""

from __future__ import annotations

import importlib.util

from helpers import REPO


def test_short_load_test_has_no_unexpected_status(tiny_checkpoint, capsys):
    spec = importlib.util.spec_from_file_location("framing_load_test", REPO / "benchmarks" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)
    code = load_test.main(
        [
            "--clients",
            "20",
            "--requests",
            "200",
            "--checkpoint",
            str(tiny_checkpoint),
            "--timeout",
            "60",
            "--burst",
            "0",
        ]
    )  # the tiny model finishes before any time limit
    out = capsys.readouterr().out
    summary = load_test.json.loads(out[out.index("{") :])
    assert code == 0 and summary["unexpected"] == 0, load_test.json.dumps(summary)  # in full: which status
    assert summary["requests"] == 200
    by_kind = summary["kinds"]
    assert by_kind["oversized"]["count"] == 10 and by_kind["malformed"]["count"] == 10


def test_a_predict_after_hostile_articles_answers_as_on_an_idle_server(tiny_checkpoint, capsys):
    """Quote marks that never pair, no sentence end, one huge word, thousands of tiny sentences,
    each near the length limit, two at once on a server with a 1 s limit: each is answered or
    times out, and the small predict sent after them does not wait for leftover work."""
    spec = importlib.util.spec_from_file_location("framing_load_test", REPO / "benchmarks" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)
    code = load_test.main(
        [
            "--clients",
            "2",
            "--requests",
            "10",
            "--checkpoint",
            str(tiny_checkpoint),
            "--burst",
            "0",
            "--hostile",
            "2",
            "--limit",
            "1",
        ]
    )
    out = capsys.readouterr().out
    summary = load_test.json.loads(out[out.index("{") :])
    hostile = {name: summary[f"after_{name}"] for name in load_test.HOSTILE}
    assert code == 0 and all(h["ok"] for h in hostile.values()), hostile
    assert all(h["chars"] > 99_000 for h in hostile.values())
    assert hostile["page_of_links"]["predict_after_burst_ms"] < 1000 + hostile["page_of_links"]["predict_idle_ms"]
