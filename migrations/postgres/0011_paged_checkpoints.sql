-- A page of a list that says more rows follow (the analytics API's `has_next`) keeps, with its checkpoint, what the
-- next page asks for: a run resumed after that page goes on to the next one without buying it again.

ALTER TABLE seopipe_chunks ADD COLUMN next_cursor TEXT;
