-- A token may let its writes omit If-Match (geo.Token.Unconditional), for
-- clients that never send it, such as QGIS.
ALTER TABLE tokens ADD COLUMN unconditional INTEGER NOT NULL DEFAULT 0 CHECK (unconditional IN (0, 1));
