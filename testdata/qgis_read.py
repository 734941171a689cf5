"""Reads a Strata server with QGIS's OAPIF provider, headless, for
TestQGIS (qgis_test.go).

Usage: python3 qgis_read.py BASE_URL LAYER... (QT_QPA_PLATFORM=offscreen)

Prints one JSON object: for each layer, whether QGIS loaded it, its
feature count (the provider's and the features read), its fields' types,
the number of features whose citation is NULL or empty, and the ids of
the features QGIS's temporal filter (start and end from the fields
valid_from and valid_to) keeps for [2025-10-10, 2025-10-11).
"""

import json
import sys

from qgis.core import (
    NULL,
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime, QVariant


def utc(y, m, d):
    return QDateTime(QDate(y, m, d), QTime(0, 0), Qt.UTC)


def read_layer(base, name):
    layer = QgsVectorLayer("url='%s' typename='%s'" % (base, name), name, "OAPIF")
    out = {"valid": layer.isValid()}
    if not layer.isValid():
        return out
    fields = layer.fields()
    out["fields"] = {f.name(): QVariant.typeToName(f.type()) for f in fields}
    out["count"] = layer.featureCount()
    ids, no_citation = [], 0
    has_citation = fields.indexOf("citation") >= 0
    for f in layer.getFeatures():
        ids.append(f["id"])
        if not has_citation or f["citation"] in (None, NULL, ""):
            no_citation += 1
    out["ids"] = ids
    out["no_citation"] = no_citation

    # The Temporal Controller's filter, as QGIS builds it for a layer whose
    # features start and end at the values of two fields.
    props = layer.temporalProperties()
    props.setIsActive(True)
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields)
    props.setStartField("valid_from")
    props.setEndField("valid_to")
    context = QgsVectorLayerTemporalContext()
    context.setLayer(layer)
    day = QgsDateTimeRange(utc(2025, 10, 10), utc(2025, 10, 11), True, False)
    expression = props.createFilterString(context, day)
    out["filter"] = expression
    request = QgsFeatureRequest().setFilterExpression(expression)
    out["on_day"] = [f["id"] for f in layer.getFeatures(request)]
    return out


QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
try:
    base = sys.argv[1]
    result = {name: read_layer(base, name) for name in sys.argv[2:]}
finally:
    app.exitQgis()
json.dump(result, sys.stdout)
