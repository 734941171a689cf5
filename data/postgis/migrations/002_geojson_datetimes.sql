-- Features' GeoJSON (the json column) now gives valid_from and valid_to
-- as RFC 3339 date-times and the sources as one line of text, citation.
-- The rows written before are re-encoded by the program right after this
-- file runs, in the same transaction (reencodeFeatures in reencode.go):
-- SQL cannot write what geo/geojson.AppendFeature writes byte for byte.
COMMENT ON COLUMN features.json IS 'the feature''s GeoJSON as geo/geojson.AppendFeature writes it: valid_from and valid_to as RFC 3339 date-times, citation beside sources (migration 2 re-encoded the rows written before)';
