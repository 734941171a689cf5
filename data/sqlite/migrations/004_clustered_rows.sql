-- pos is the stable order of a layer's features, the order they were
-- imported in. seq, the rowid, becomes where a row is stored: an import
-- stores its features clustered by lifetime, start and place, so that the
-- rows one query reads share pages.
ALTER TABLE features ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
UPDATE features SET pos = seq;
DROP INDEX features_bounds;
CREATE INDEX features_bounds ON features (layer_num, pos, minx, miny, maxx, maxy, valid_from, valid_to);
