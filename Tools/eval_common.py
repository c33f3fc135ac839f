"""Shared helpers for Segue's evaluation tools: truth loading and pause matching.

Matching rule (see Audio/fixtures/README.md):
  * reference pauses = truth pauses with duration >= 0.5 s;
  * a detection matches a reference when the spans overlap and BOTH edges are
    within 0.2 s; matching is one-to-one, greedy by total edge error;
  * every unmatched detection >= 0.3 s is a false positive, wherever it lies
    (before the first word and after the last too), except one that meets the
    same overlap/edge rule against a truth pause shorter than 0.5 s (neither TP
    nor FP); unmatched detections < 0.3 s are ignored;
  * detections shorter than 0.5 s that match a reference count as TPs;
  * references and detections lying inside truth music spans of kind
    intro/jingle (>= half of their length inside) are excluded (music without
    speech is neither speech nor a pause).
"""

import json
import os

MIN_REF = 0.5          # reference pauses are >= this long (s)
MIN_DET = 0.3          # unmatched detections this long or longer are false positives (s)
EDGE_TOL = 0.2         # both edges within this (s)
EXCLUDE_MUSIC = ("intro", "jingle")
EPS = 1e-6


def load_truth(path):
    """Load a NAME.truth.json; adds '_path' and '_dir'. Validates the basic schema."""
    with open(path, encoding="utf-8") as f:
        t = json.load(f)
    for k in ("name", "audio", "duration", "pauses", "speech"):
        if k not in t:
            raise ValueError("%s: missing key %r" % (path, k))
    for p in t["pauses"]:
        if not p["end"] > p["start"]:
            raise ValueError("%s: bad pause %r" % (path, p))
    t.setdefault("music", [])
    t["_path"] = os.path.abspath(path)
    t["_dir"] = os.path.dirname(os.path.abspath(path))
    return t


def speech_bounds(truth):
    """(first speech start, last speech end) or (None, None)."""
    sp = truth.get("speech") or []
    if not sp:
        return None, None
    return min(s["start"] for s in sp), max(s["end"] for s in sp)


def excluded_spans(truth):
    return [(m["start"], m["end"]) for m in truth.get("music", []) if m.get("kind") in EXCLUDE_MUSIC]


def _inside_fraction(s, e, spans):
    if e <= s:
        return 0.0
    tot = sum(max(0.0, min(e, b) - max(s, a)) for a, b in spans)
    return tot / (e - s)


def is_excluded(s, e, truth):
    """True when [s,e] lies (>= half) inside an intro/jingle music span."""
    return _inside_fraction(s, e, excluded_spans(truth)) >= 0.5


def edges_match(d, r, tol=EDGE_TOL):
    """Spans overlap and both edges within tol."""
    ds, de = d
    rs, re_ = r
    overlap = min(de, re_) - max(ds, rs) > 0
    return overlap and abs(ds - rs) <= tol + EPS and abs(de - re_) <= tol + EPS


def score_pauses(truth_pauses, detections, truth=None, min_ref=MIN_REF, tol=EDGE_TOL, min_det=MIN_DET):
    """Score detected pauses against truth pauses.

    truth_pauses: list of (start, end) or dicts with start/end (all truth pauses, any length)
    detections:   list of (start, end) or dicts with start/end
    truth:        optional truth dict for intro/jingle exclusion
    Returns dict(tp, fp, fn, ignored, precision, recall, f1, mean_edge_error, matches=[(det, ref)],
    false_positives=[det], missed=[ref]).
    """
    def span(x):
        return (float(x["start"]), float(x["end"])) if isinstance(x, dict) else (float(x[0]), float(x[1]))
    tps = sorted(span(p) for p in truth_pauses)
    dets = sorted(span(d) for d in detections)
    if truth is not None:
        tps = [p for p in tps if not is_excluded(p[0], p[1], truth)]
        dets = [d for d in dets if not is_excluded(d[0], d[1], truth)]
    refs = [p for p in tps if p[1] - p[0] >= min_ref - EPS]
    small = [p for p in tps if p[1] - p[0] < min_ref - EPS]
    cands = []
    for i, d in enumerate(dets):
        for j, r in enumerate(refs):
            if edges_match(d, r, tol):
                cands.append((abs(d[0] - r[0]) + abs(d[1] - r[1]), i, j))
    cands.sort()
    used_d, used_r, matches = set(), set(), []
    for cost, i, j in cands:
        if i in used_d or j in used_r:
            continue
        used_d.add(i)
        used_r.add(j)
        matches.append((dets[i], refs[j]))
    fp = ignored = 0
    fps = []
    for i, d in enumerate(dets):
        if i in used_d:
            continue
        if d[1] - d[0] < min_det - EPS:
            ignored += 1
        elif any(edges_match(d, s, tol) for s in small):
            ignored += 1
        else:
            fp += 1
            fps.append(d)
    tp = len(matches)
    fn = len(refs) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / len(refs) if refs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    errs = [abs(d[0] - r[0]) for d, r in matches] + [abs(d[1] - r[1]) for d, r in matches]
    return dict(tp=tp, fp=fp, fn=fn, ignored=ignored, refs=len(refs), detections=len(dets),
                precision=precision, recall=recall, f1=f1,
                mean_edge_error=(sum(errs) / len(errs)) if errs else None,
                matches=matches, false_positives=fps,
                missed=[r for j, r in enumerate(refs) if j not in used_r])


def parse_silencedetect(stderr_text, duration=None):
    """Parse ffmpeg silencedetect output into [(start, end)]. A silence still open at EOF
    ends at `duration` (None when not given)."""
    out, cur = [], None
    for line in stderr_text.splitlines():
        if "silence_start:" in line:
            cur = float(line.split("silence_start:")[1].split()[0])
        elif "silence_end:" in line:
            end = float(line.split("silence_end:")[1].split()[0].rstrip("|"))
            out.append((cur if cur is not None else 0.0, end))
            cur = None
    if cur is not None:
        out.append((cur, duration))
    return out


def drop_file_edges(spans, duration, edge=0.05):
    """Drop silences that touch the file's start or end: there is no sound on one side,
    so they are not pauses (a pause lies between two sounds). Uses no truth."""
    return [(s, e) for s, e in spans if s > edge and e < duration - edge]
