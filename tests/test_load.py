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
    code = load_test.main(["--clients", "20", "--requests", "200", "--checkpoint", str(tiny_checkpoint),
                           "--timeout", "60", "--burst", "0"])  # the tiny model finishes before any time limit
    out = capsys.readouterr().out
    summary = load_test.json.loads(out[out.index("{"):])
    assert code == 0 and summary["unexpected"] == 0, summary
    assert summary["requests"] == 200
    by_kind = summary["kinds"]
    assert by_kind["oversized"]["count"] == 10 and by_kind["malformed"]["count"] == 10
