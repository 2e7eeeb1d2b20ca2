CREATE TABLE "fault_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"transformer_area" text NOT NULL,
	"account_id" bigint,
	"source" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feeders" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"district" text NOT NULL,
	"areas" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" bigint NOT NULL,
	"event_key" text NOT NULL,
	"topic" text NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outage_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"outage_id" bigint NOT NULL,
	"event" text NOT NULL,
	"changes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"staff_id" bigint,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"reason" text NOT NULL,
	"district" text NOT NULL,
	"areas" text[] NOT NULL,
	"feeder" text,
	"scheduled_start" timestamp with time zone NOT NULL,
	"scheduled_end" timestamp with time zone NOT NULL,
	"restored_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"import_ref" text,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outages_import_ref_unique" UNIQUE("import_ref"),
	CONSTRAINT "outages_status_known" CHECK ("outages"."status" IN ('scheduled', 'in_progress', 'restored', 'cancelled')),
	CONSTRAINT "outages_times_ordered" CHECK ("outages"."scheduled_end" > "outages"."scheduled_start")
);
--> statement-breakpoint
CREATE TABLE "sms_opt_ins" (
	"customer_id" bigint NOT NULL,
	"topic" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sms_opt_ins_customer_id_topic_pk" PRIMARY KEY("customer_id","topic")
);
--> statement-breakpoint
CREATE TABLE "subscribe_grants" (
	"customer_id" bigint NOT NULL,
	"template_id" text NOT NULL,
	"remaining" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscribe_grants_customer_id_template_id_pk" PRIMARY KEY("customer_id","template_id"),
	CONSTRAINT "subscribe_grants_not_negative" CHECK ("subscribe_grants"."remaining" >= 0)
);
--> statement-breakpoint
ALTER TABLE "outage_changes" ADD CONSTRAINT "outage_changes_outage_id_outages_id_fk" FOREIGN KEY ("outage_id") REFERENCES "public"."outages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_opt_ins" ADD CONSTRAINT "sms_opt_ins_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscribe_grants" ADD CONSTRAINT "subscribe_grants_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fault_reports_area_idx" ON "fault_reports" USING btree ("transformer_area","reported_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_once" ON "notifications" USING btree ("customer_id","event_key");--> statement-breakpoint
CREATE INDEX "notifications_queued_idx" ON "notifications" USING btree ("available_at","id") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "notifications_event_idx" ON "notifications" USING btree ("event_key");--> statement-breakpoint
CREATE INDEX "outage_changes_outage_idx" ON "outage_changes" USING btree ("outage_id","id");--> statement-breakpoint
CREATE INDEX "outages_areas_idx" ON "outages" USING gin ("areas");--> statement-breakpoint
CREATE INDEX "outages_status_idx" ON "outages" USING btree ("status","scheduled_start");