CREATE TABLE "backoffice_callbacks" (
	"event_id" text PRIMARY KEY NOT NULL,
	"work_order_id" bigint NOT NULL,
	"result" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid_areas" (
	"transformer_area" text PRIMARY KEY NOT NULL,
	"grid_code" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_grids" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"manager_staff_id" bigint
);
--> statement-breakpoint
CREATE TABLE "work_order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"work_order_id" bigint NOT NULL,
	"action" text NOT NULL,
	"from_state" jsonb,
	"to_state" jsonb NOT NULL,
	"actor" text NOT NULL,
	"actor_id" text,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" bigint NOT NULL,
	"account_id" bigint,
	"type" text NOT NULL,
	"form" jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" text NOT NULL,
	"stage" text,
	"stage_started_at" timestamp with time zone,
	"stage_deadline" timestamp with time zone,
	"warned_at" timestamp with time zone,
	"overdue_at" timestamp with time zone,
	"grid_code" text,
	"assignee_staff_id" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"rating" smallint,
	"rating_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "work_orders_rating_range" CHECK ("work_orders"."rating" BETWEEN 1 AND 5)
);
--> statement-breakpoint
ALTER TABLE "grid_areas" ADD CONSTRAINT "grid_areas_grid_code_service_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."service_grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_grids" ADD CONSTRAINT "service_grids_manager_staff_id_staff_users_id_fk" FOREIGN KEY ("manager_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_events" ADD CONSTRAINT "work_order_events_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_account_id_electricity_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."electricity_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_grid_code_service_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."service_grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_assignee_staff_id_staff_users_id_fk" FOREIGN KEY ("assignee_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "work_order_events_order_idx" ON "work_order_events" USING btree ("work_order_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_idempotency" ON "work_orders" USING btree ("customer_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "work_orders_customer_idx" ON "work_orders" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "work_orders_open_deadline_idx" ON "work_orders" USING btree ("stage_deadline") WHERE state IN ('stage', 'awaiting_documents');