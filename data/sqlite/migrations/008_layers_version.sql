-- meta 'layers' counts the changes to the layers table, so that a new data
-- version whose write left the layers alone (an edit, most often) reuses
-- the layers already read instead of reading them again (see snapshot).
-- Triggers keep it, whoever writes the table.
INSERT INTO meta (key, value) VALUES ('layers', 1);
CREATE TRIGGER layers_inserted AFTER INSERT ON layers BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'layers';
END;
CREATE TRIGGER layers_updated AFTER UPDATE ON layers BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'layers';
END;
CREATE TRIGGER layers_deleted AFTER DELETE ON layers BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'layers';
END;
