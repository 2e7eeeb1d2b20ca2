CREATE TABLE "account_balances" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"balance_fen" bigint DEFAULT 0 NOT NULL,
	"low_threshold_fen" bigint,
	"low_alerted" boolean DEFAULT false NOT NULL,
	"overdrawn_alerted" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "balance_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"balance_after_fen" bigint NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balance_entries_ref_unique" UNIQUE("ref")
);
--> statement-breakpoint
CREATE TABLE "bill_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "billing_profiles" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"tariff_code" text NOT NULL,
	"billing_mode" text DEFAULT 'postpaid' NOT NULL,
	"contract_kva" integer,
	"has_solar" boolean DEFAULT false NOT NULL,
	"vacant" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_settings_single_row" CHECK ("billing_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "bills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"month" text NOT NULL,
	"status" text NOT NULL,
	"tariff_code" text NOT NULL,
	"tariff_version" integer NOT NULL,
	"kwh" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"tier_counted_kwh" bigint NOT NULL,
	"history" integer[] NOT NULL,
	"detail" jsonb NOT NULL,
	"anomalies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"review" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"run_id" bigint,
	"computed_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "bills_status_known" CHECK ("bills"."status" IN ('held', 'rereading', 'published'))
);
--> statement-breakpoint
CREATE TABLE "customer_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"type" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_events_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "meter_readings" (
	"meter_id" bigint NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	"total" bigint NOT NULL,
	"sharp" bigint,
	"peak" bigint,
	"flat" bigint,
	"valley" bigint,
	"reverse" bigint DEFAULT 0 NOT NULL,
	"quality" text NOT NULL,
	"source" text NOT NULL,
	"revisions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meter_readings_meter_id_read_at_pk" PRIMARY KEY("meter_id","read_at")
);
--> statement-breakpoint
CREATE TABLE "meters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"meter_no" text NOT NULL,
	"account_id" bigint NOT NULL,
	"multiplier" integer DEFAULT 1 NOT NULL,
	"registers" text NOT NULL,
	"register_digits" smallint DEFAULT 6 NOT NULL,
	"installed_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "meters_meter_no_unique" UNIQUE("meter_no")
);
--> statement-breakpoint
CREATE TABLE "reading_rejections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"meter_no" text NOT NULL,
	"read_at" text NOT NULL,
	"reason" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "receivables" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"bill_id" bigint NOT NULL,
	"month" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"principal_paid_fen" bigint DEFAULT 0 NOT NULL,
	"due_date" date NOT NULL,
	"late_fee_millifen" bigint DEFAULT 0 NOT NULL,
	"late_fee_paid_fen" bigint DEFAULT 0 NOT NULL,
	"late_fee_through" date,
	"settled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receivables_bill_id_unique" UNIQUE("bill_id"),
	CONSTRAINT "receivables_paid_within" CHECK ("receivables"."principal_paid_fen" BETWEEN 0 AND "receivables"."principal_fen")
);
--> statement-breakpoint
CREATE TABLE "tariffs" (
	"code" text NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"customer_class" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tariffs_code_version_pk" PRIMARY KEY("code","version")
);
--> statement-breakpoint
ALTER TABLE "account_balances" ADD CONSTRAINT "account_balances_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balance_entries" ADD CONSTRAINT "balance_entries_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_profiles" ADD CONSTRAINT "billing_profiles_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bills" ADD CONSTRAINT "bills_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_events" ADD CONSTRAINT "customer_events_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meter_readings" ADD CONSTRAINT "meter_readings_meter_id_meters_id_fk" FOREIGN KEY ("meter_id") REFERENCES "public"."meters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meters" ADD CONSTRAINT "meters_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "receivables" ADD CONSTRAINT "receivables_bill_id_bills_id_fk" FOREIGN KEY ("bill_id") REFERENCES "public"."bills"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "balance_entries_account_idx" ON "balance_entries" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "bills_account_month" ON "bills" USING btree ("account_id","month");--> statement-breakpoint
CREATE INDEX "bills_review_idx" ON "bills" USING btree ("month") WHERE status <> 'published';--> statement-breakpoint
CREATE INDEX "customer_events_account_idx" ON "customer_events" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "meters_account_idx" ON "meters" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reading_rejections_once" ON "reading_rejections" USING btree ("meter_no","read_at","reason");--> statement-breakpoint
CREATE INDEX "receivables_open_idx" ON "receivables" USING btree ("account_id") WHERE settled_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "tariffs_code_from" ON "tariffs" USING btree ("code","effective_from");