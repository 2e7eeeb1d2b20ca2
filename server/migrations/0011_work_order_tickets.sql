CREATE TABLE "work_order_ticket_counters" (
	"business_date" date PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "attached_at" timestamp with time zone;--> statement-breakpoint
UPDATE "documents" SET "attached_at" = "created_at" WHERE "work_order_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "work_orders" ADD COLUMN "ticket_no" text;--> statement-breakpoint
-- Orders filed before ticket numbers get theirs from their Shanghai filing date, in id order.
UPDATE "work_orders" o SET "ticket_no" = n.ticket_no FROM (
	SELECT id, 'GD' || to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
		|| lpad((row_number() OVER (PARTITION BY (created_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY id))::text, 6, '0') AS ticket_no
	FROM "work_orders") n WHERE o.id = n.id;--> statement-breakpoint
INSERT INTO "work_order_ticket_counters" ("business_date", "last_seq")
	SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date, count(*) FROM "work_orders" GROUP BY 1;--> statement-breakpoint
ALTER TABLE "work_orders" ALTER COLUMN "ticket_no" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_ticket_no" ON "work_orders" USING btree ("ticket_no");
