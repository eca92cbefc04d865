-- SQLite only: migrations/sqlite/0012 keeps the page-summary breakdown WITHOUT ROWID, in its primary key's B-tree
-- alone. PostgreSQL has no rowid (a heap and the primary key's index, either way), so nothing changes here; the file
-- keeps both warehouses' migration versions in step.
SELECT 1;
