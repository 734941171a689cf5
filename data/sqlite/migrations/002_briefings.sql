-- Briefings: presenter step sequences, kept whole as JSON (geo.Briefing);
-- they are small and always read whole.
CREATE TABLE briefings (
    id    TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body  TEXT NOT NULL
);
