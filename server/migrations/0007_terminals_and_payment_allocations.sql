CREATE TABLE "payment_allocations" (
	"ref" text PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"lines" jsonb NOT NULL,
	"prepayment_fen" bigint NOT NULL,
	"source" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reversed_ref" text,
	"reversed_at" timestamp with time zone,
	CONSTRAINT "payment_allocations_reversed_ref_unique" UNIQUE("reversed_ref"),
	CONSTRAINT "payment_allocations_amount_positive" CHECK ("payment_allocations"."amount_fen" > 0 AND "payment_allocations"."prepayment_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "terminal_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"terminal_pk" bigint NOT NULL,
	"action" text NOT NULL,
	"staff_id" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "terminal_days" (
	"terminal_pk" bigint NOT NULL,
	"accounting_date" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"pay_count" integer,
	"total_fen" bigint,
	CONSTRAINT "terminal_days_terminal_pk_accounting_date_pk" PRIMARY KEY("terminal_pk","accounting_date")
);
--> statement-breakpoint
CREATE TABLE "terminal_mismatches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reconciliation_id" bigint NOT NULL,
	"terminal_pk" bigint NOT NULL,
	"accounting_date" date NOT NULL,
	"serial" text NOT NULL,
	"kind" text NOT NULL,
	"our_account_no" text,
	"our_amount_fen" bigint,
	"their_account_no" text,
	"their_amount_fen" bigint,
	"status" text DEFAULT 'open' NOT NULL,
	"reason" text,
	"resolved_by" bigint,
	"resolved_at" timestamp with time zone,
	"resolution_ref" text
);
--> statement-breakpoint
CREATE TABLE "terminal_reconciliations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"terminal_pk" bigint NOT NULL,
	"accounting_date" date NOT NULL,
	"file_digest" text NOT NULL,
	"matched" integer NOT NULL,
	"mismatches" integer NOT NULL,
	"result" json NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "terminal_transactions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"terminal_pk" bigint NOT NULL,
	"accounting_date" date NOT NULL,
	"serial" text NOT NULL,
	"kind" text NOT NULL,
	"digest" text NOT NULL,
	"account_id" bigint,
	"account_no" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"original_serial" text,
	"status" text NOT NULL,
	"reversed_by" text,
	"allocation_ref" text,
	"result" json,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "terminal_transactions_amount_positive" CHECK ("terminal_transactions"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "terminals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"terminal_id" text NOT NULL,
	"organisation_name" text NOT NULL,
	"organisation_kind" text NOT NULL,
	"channel" text NOT NULL,
	"allowed_ips" text[] NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"secret_enc" text NOT NULL,
	"previous_secret_enc" text,
	"previous_secret_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "terminals_terminal_id_unique" UNIQUE("terminal_id")
);
--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD CONSTRAINT "payment_allocations_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_audit" ADD CONSTRAINT "terminal_audit_terminal_pk_terminals_id_fk" FOREIGN KEY ("terminal_pk") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_audit" ADD CONSTRAINT "terminal_audit_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_days" ADD CONSTRAINT "terminal_days_terminal_pk_terminals_id_fk" FOREIGN KEY ("terminal_pk") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_mismatches" ADD CONSTRAINT "terminal_mismatches_reconciliation_id_terminal_reconciliations_id_fk" FOREIGN KEY ("reconciliation_id") REFERENCES "public"."terminal_reconciliations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_mismatches" ADD CONSTRAINT "terminal_mismatches_terminal_pk_terminals_id_fk" FOREIGN KEY ("terminal_pk") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_mismatches" ADD CONSTRAINT "terminal_mismatches_resolved_by_staff_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_reconciliations" ADD CONSTRAINT "terminal_reconciliations_terminal_pk_terminals_id_fk" FOREIGN KEY ("terminal_pk") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_transactions" ADD CONSTRAINT "terminal_transactions_terminal_pk_terminals_id_fk" FOREIGN KEY ("terminal_pk") REFERENCES "public"."terminals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terminal_transactions" ADD CONSTRAINT "terminal_transactions_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payment_allocations_account_idx" ON "payment_allocations" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "terminal_audit_terminal_idx" ON "terminal_audit" USING btree ("terminal_pk","id");--> statement-breakpoint
CREATE UNIQUE INDEX "terminal_days_one_open" ON "terminal_days" USING btree ("terminal_pk") WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "terminal_mismatches_serial" ON "terminal_mismatches" USING btree ("terminal_pk","accounting_date","serial");--> statement-breakpoint
CREATE INDEX "terminal_mismatches_open_idx" ON "terminal_mismatches" USING btree ("id") WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "terminal_reconciliations_day" ON "terminal_reconciliations" USING btree ("terminal_pk","accounting_date");--> statement-breakpoint
CREATE UNIQUE INDEX "terminal_transactions_serial" ON "terminal_transactions" USING btree ("terminal_pk","accounting_date","serial");