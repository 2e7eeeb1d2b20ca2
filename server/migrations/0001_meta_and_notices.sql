CREATE TABLE "notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"level" text DEFAULT 'info' NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	CONSTRAINT "notices_level_known" CHECK ("notices"."level" IN ('info', 'important', 'urgent'))
);
--> statement-breakpoint
CREATE TABLE "utility_profile" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"short_name" text NOT NULL,
	"hotline" text NOT NULL,
	"service_hours" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "utility_profile_single_row" CHECK ("utility_profile"."id" = 1)
);
--> statement-breakpoint
CREATE INDEX "notices_published_idx" ON "notices" USING btree ("published_at");