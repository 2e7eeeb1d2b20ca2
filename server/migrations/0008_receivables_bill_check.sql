ALTER TABLE "receivables" DROP CONSTRAINT "receivables_bill_id_bills_id_fk";
--> statement-breakpoint
-- Every receivable's bill must exist, checked once per statement over all the rows it wrote.
CREATE FUNCTION receivables_check_bills() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  orphan bigint;
BEGIN
  SELECT n.bill_id INTO orphan FROM written n WHERE NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = n.bill_id) LIMIT 1;
  IF orphan IS NOT NULL THEN
    RAISE EXCEPTION 'receivable refers to bill %, which does not exist', orphan USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER receivables_bill_exists_insert AFTER INSERT ON receivables REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION receivables_check_bills();
--> statement-breakpoint
-- A receivable never moves to another bill (a row trigger that fires only when bill_id is set).
CREATE FUNCTION receivables_bill_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.bill_id IS DISTINCT FROM OLD.bill_id THEN
    RAISE EXCEPTION 'a receivable stays with its bill' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER receivables_bill_fixed BEFORE UPDATE OF bill_id ON receivables FOR EACH ROW EXECUTE FUNCTION receivables_bill_fixed();
--> statement-breakpoint
-- And a bill with a receivable cannot be deleted.
CREATE FUNCTION bills_keep_receivables() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owed bigint;
BEGIN
  SELECT r.bill_id INTO owed FROM removed o JOIN receivables r ON r.bill_id = o.id LIMIT 1;
  IF owed IS NOT NULL THEN
    RAISE EXCEPTION 'bill % has a receivable and cannot be deleted', owed USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER bills_keep_receivables AFTER DELETE ON bills REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION bills_keep_receivables();
