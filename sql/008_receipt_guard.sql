-- tfund schema, version 8: the guard against a receipt recorded twice
-- under two references (DESIGN.md section 10, "Guards against the usual
-- slips"). A new receipt is compared with the recorded ones of the same
-- date and amount: an index on those, so that an import of many
-- receipts compares each with a handful of rows, not the whole table.
CREATE INDEX receipts_date_amount ON receipts (date, amount);
