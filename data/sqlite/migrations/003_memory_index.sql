-- The place-and-time index moves into memory (index.go): inserting into
-- the R*Tree took three quarters of an import's time, and searching it
-- (twice a request, with a sort by seq) nearly all of a request's.
DROP TRIGGER features_index_insert;
DROP TRIGGER features_index_delete;
DROP TABLE features_index;
DROP INDEX features_valid;

-- generation counts the imports into a layer; an in-memory index is valid
-- for one generation.
ALTER TABLE layers ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

-- A layer's bounds and valid times in seq order, read without touching
-- the rows: the in-memory index is built from it, and filtered queries
-- scan it (testing each entry exactly) while that index is being built.
CREATE INDEX features_bounds ON features (layer_num, seq, minx, miny, maxx, maxy, valid_from, valid_to);
