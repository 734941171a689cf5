#!/usr/bin/env python3
"""Build the seed briefing from the seed's own event features.

Usage:
    python3 data/seed/build/build_briefing.py

Reads data/seed/features/events.geojson (written by build_seed.py) and
writes data/seed/briefings/cmcc-ceasefire.json: one step per chosen event,
with the event's neutral description as the caption, its sources, and
speaker notes stating how sure the sources are. The choice of events, the
map views and the layers of each step are set below. Deterministic output.
"""

import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.dirname(HERE)

STRIP = [34.15, 31.2, 34.62, 31.62]          # the Gaza Strip
REGION = [33.6, 30.8, 35.1, 31.85]           # the Strip, Kiryat Gat, El-Arish
SINAI = [31.0, 27.6, 35.6, 32.0]             # Cairo, Sharm el-Sheikh, Gaza
BASE = ["borders", "towns", "events"]

# (event id, step id, map date, view, extra layers, extra highlights, hold)
STEPS = [
    ("plan_2025_09_29", "plan-published", "2025-09-29", {"bounds": STRIP}, ["schematics"], [], 12),
    ("yellow_map_2025_10_04", "withdrawal-map", "2025-10-04", {"bounds": STRIP}, ["schematics"], [], 10),
    ("ceasefire_2025_10_10", "ceasefire", "2025-10-10", {"bounds": STRIP}, ["lines", "areas", "crossings"], ["lines/yellow_line_2025_10_10"], 15),
    ("sharm_summit_2025_10_13", "sharm-summit", "2025-10-13", {"bounds": SINAI}, ["lines"], ["towns/sharm_el_sheikh"], 10),
    ("cmcc_open_2025_10_17", "cmcc-opens", "2025-10-17", {"center": [34.77167, 31.60611], "zoom": 10}, ["facilities", "lines"], ["facilities/cmcc_kiryat_gat"], 15),
    ("blocks_begin_2025_10_20", "line-marked", "2025-10-20", {"bounds": STRIP}, ["lines", "areas"], ["lines/yellow_line_2025_10_10"], 10),
    ("vance_2025_10_21", "vance-visit", "2025-10-21", {"bounds": REGION}, ["facilities", "lines"], ["facilities/cmcc_kiryat_gat"], 8),
    ("mq9_2025_10_31", "khan-yunis-observation", "2025-10-31", {"center": [34.30, 31.36], "zoom": 11}, ["lines", "areas", "facilities"], [], 10),
    ("aid_oversight_2025_11_07", "aid-oversight", "2025-11-07", {"bounds": REGION}, ["facilities", "crossings", "lines"], ["facilities/cmcc_kiryat_gat"], 10),
    ("zikim_2025_11_12", "zikim-reopens", "2025-11-12", {"center": [34.53, 31.60], "zoom": 11}, ["crossings", "lines"], ["crossings/zikim_crossing"], 8),
    ("unsc2803_2025_11_17", "resolution-2803", "2025-11-17", {"bounds": STRIP}, ["lines", "areas", "schematics"], [], 12),
    ("us_drawdown_2025_11_22", "us-drawdown", "2025-11-22", {"bounds": REGION}, ["facilities", "lines"], ["facilities/cmcc_kiryat_gat"], 8),
    ("tuffah_blocks_2025_12", "tuffah-blocks", "2025-12-02/2025-12-25", {"center": [34.48, 31.51], "zoom": 12}, ["lines", "areas"], ["lines/yellow_line_2025_10_10"], 10),
    ("zamir_border_2025_12_07", "new-border-line", "2025-12-07", {"bounds": STRIP}, ["lines", "areas"], ["lines/yellow_line_2025_10_10"], 10),
    ("phase2_2026_01_14", "phase-two", "2026-01-14", {"bounds": STRIP}, ["lines", "areas", "schematics"], [], 10),
    ("bbc_verify_2026_01_16", "markers-mapped", "2026-01-16", {"bounds": STRIP}, ["lines", "areas"], ["lines/yellow_line_2025_10_10"], 10),
    ("europe_2026_01_20", "european-presence", "2026-01-20", {"bounds": REGION}, ["facilities", "crossings", "lines"], ["facilities/cmcc_kiryat_gat"], 10),
]


# How a date's precision reads in the notes.
DATE_PRECISION = {"approx_day": "approximate day", "range": "a range of days", "month": "month", "week": "week"}


def place_names():
    """Every seed feature's id mapped to its name, short of asides (after a dash, or in lower-case brackets)."""
    names = {}
    for fn in sorted(os.listdir(os.path.join(SEED, "features"))):
        with open(os.path.join(SEED, "features", fn), encoding="utf-8") as f:
            for ft in json.load(f)["features"]:
                name = re.split(r"\s[–—-]\s", ft["properties"]["name"])[0]
                names[ft["id"]] = re.sub(r"\s*\([a-z][^)]*\)", "", name)
    return names


def named(text, names):
    """Replaces the feature ids a text names by the features' names."""
    return re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", lambda m: names.get(m.group(0), m.group(0)), text)


def notes(p, names):
    parts = [f"Confidence: {p.get('confidence', 'not stated')}."]
    if p.get("date_precision") and p["date_precision"] != "day":
        parts.append(f"Date precision: {DATE_PRECISION.get(p['date_precision'], p['date_precision'])}.")
    metres = f"{int(p['precision_m']):,}".replace(",", " ")
    place = names.get(p.get("place_id"), "its place")
    parts.append(f"Mapped at {place}, within about {metres} m.")
    if p.get("note"):
        parts.append(named(p["note"], names).replace("Geometry: feature ", "Geometry: "))
    if p.get("precision_note"):
        parts.append(named(p["precision_note"], names))
    return " ".join(parts)


def main():
    with open(os.path.join(SEED, "features", "events.geojson"), encoding="utf-8") as f:
        events = {ft["id"]: ft for ft in json.load(f)["features"]}
    names = place_names()
    steps = []
    for ev, sid, date, view, layers, highlight, hold in STEPS:
        p = events[ev]["properties"]
        steps.append({
            "id": sid,
            "title": p["name"],
            "date": date,
            "view": view,
            "layers": BASE + [l for l in layers if l not in BASE],
            "highlight": [f"events/{ev}"] + highlight,
            "caption": p["description"],
            "sources": p["sources"],
            "notes": notes(p, names),
            "hold_seconds": hold,
        })
    briefing = {
        "id": "cmcc-ceasefire",
        "title": "The CMCC and the ceasefire map, October 2025 – January 2026",
        "description": ("How the map of the October 2025 Gaza ceasefire changed, and what was "
                        "reported about the US-led Civil-Military Coordination Center in Kiryat "
                        "Gat, step by step from the published plan to January 2026. Every step "
                        "cites its sources; positions marked approximate are approximate."),
        "steps": steps,
    }
    out = os.path.join(SEED, "briefings", "cmcc-ceasefire.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(briefing, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(steps)} steps")


if __name__ == "__main__":
    main()
