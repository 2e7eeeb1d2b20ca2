DROP INDEX "outbox_pending_idx";--> statement-breakpoint
CREATE INDEX "outbox_waiting_idx" ON "outbox" USING btree ("id") WHERE relayed_at IS NULL AND parked_at IS NULL;