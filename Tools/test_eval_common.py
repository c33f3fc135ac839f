#!/usr/bin/env python3
"""Unit tests for Tools/eval_common.py (run: python3 Tools/test_eval_common.py, or pytest)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval_common import (score_pauses, parse_silencedetect, drop_file_edges,  # noqa: E402
                         edges_match, is_excluded)

TRUTH = dict(name="t", audio="t.flac", duration=30.0,
             speech=[dict(speaker="A", start=7.0, end=28.0)],
             pauses=[dict(start=10.0, end=11.0), dict(start=15.0, end=15.3), dict(start=20.0, end=22.0)],
             music=[dict(start=0.0, end=6.0, kind="intro"), dict(start=6.0, end=30.0, kind="bed")])


def close(a, b):
    return abs(a - b) < 1e-9


def test_perfect():
    r = score_pauses(TRUTH["pauses"], [(10.0, 11.0), (20.0, 22.0)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 0, 0) and close(r["f1"], 1.0)
    assert close(r["mean_edge_error"], 0.0)


def test_edge_tolerance():
    assert edges_match((10.2, 11.0), (10.0, 11.0))           # exactly 0.2 is in
    assert not edges_match((10.21, 11.0), (10.0, 11.0))      # just outside
    assert not edges_match((9.0, 9.9), (10.0, 11.0))         # no overlap
    r = score_pauses(TRUTH["pauses"], [(10.1, 10.9), (20.3, 22.0)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"]) == (1, 1, 1)
    assert close(r["mean_edge_error"], 0.1)


def test_short_truth_pause_forgiven_and_short_det_tp():
    # a 0.6 s detection around the 0.3 s truth pause: edges within 0.2 -> neither TP nor FP
    r = score_pauses(TRUTH["pauses"], [(14.9, 15.5), (10.0, 11.0), (20.0, 22.0)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"], r["ignored"]) == (2, 0, 0, 1)
    # a short detection (0.45 s) matching a 0.5 s reference is a TP
    truth = dict(TRUTH, pauses=[dict(start=10.0, end=10.5)])
    r = score_pauses(truth["pauses"], [(10.05, 10.5)], truth)
    assert r["tp"] == 1 and r["fn"] == 0
    # unmatched detections under 0.3 s are ignored, from 0.3 s on they are FPs
    r = score_pauses(TRUTH["pauses"], [(12.0, 12.25), (12.4, 12.7), (12.9, 13.9)], TRUTH)
    assert (r["tp"], r["fp"], r["ignored"], r["fn"]) == (0, 2, 1, 2)


def test_one_to_one_greedy():
    # two detections near one reference: the better one matches, the other is an FP
    r = score_pauses(TRUTH["pauses"], [(10.15, 11.0), (10.0, 11.05), (20.0, 22.0)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 1, 0)
    assert ((10.0, 11.05), (10.0, 11.0)) in r["matches"]


def test_exclusions():
    # inside the intro -> excluded; before the first / after the last word -> scored (a false alarm)
    assert is_excluded(2.0, 4.0, TRUTH) and not is_excluded(6.2, 6.9, TRUTH) and not is_excluded(28.0, 29.0, TRUTH)
    assert not is_excluded(10.0, 11.0, TRUTH)
    r = score_pauses(TRUTH["pauses"], [(1.0, 5.0), (10.0, 11.0), (20.0, 22.0)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 0, 0)
    r = score_pauses(TRUTH["pauses"], [(6.2, 6.9), (10.0, 11.0), (20.0, 22.0), (28.5, 29.5)], TRUTH)
    assert (r["tp"], r["fp"], r["fn"]) == (2, 2, 0)


def test_empty():
    r = score_pauses([], [], None)
    assert close(r["f1"], 1.0)
    r = score_pauses(TRUTH["pauses"], [], TRUTH)
    assert r["fn"] == 2 and close(r["recall"], 0.0) and close(r["f1"], 0.0)


def test_silencedetect_parse():
    err = """size=N/A time=00:00:00.25 bitrate=N/A speed=4.83e+03x    [silencedetect @ 0x5] silence_start: 0
[silencedetect @ 0x5] silence_end: 0.8035 | silence_duration: 0.8035
[silencedetect @ 0x5] silence_start: 10.05
[silencedetect @ 0x5] silence_end: 11.0 | silence_duration: 0.95
[silencedetect @ 0x5] silence_start: 29.5
"""
    sp = parse_silencedetect(err, 30.0)
    assert sp == [(0.0, 0.8035), (10.05, 11.0), (29.5, 30.0)]
    assert drop_file_edges(sp, 30.0) == [(10.05, 11.0)]


if __name__ == "__main__":
    n = 0
    for k, v in sorted(globals().items()):
        if k.startswith("test_") and callable(v):
            v()
            n += 1
    print("test_eval_common: %d tests passed" % n)
