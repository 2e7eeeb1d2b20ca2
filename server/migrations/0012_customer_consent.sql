ALTER TABLE "customers" ADD COLUMN "consent_version" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "consented_at" timestamp with time zone;