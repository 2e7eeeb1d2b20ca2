ALTER TABLE "outbox" ADD COLUMN "partition_key" text;--> statement-breakpoint
CREATE INDEX "outbox_pending_key_idx" ON "outbox" USING btree ("partition_key","id") WHERE relayed_at IS NULL;