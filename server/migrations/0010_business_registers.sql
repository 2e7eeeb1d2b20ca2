ALTER TABLE "billing_profiles" ADD COLUMN "demand_basis" text;--> statement-breakpoint
ALTER TABLE "billing_profiles" ADD COLUMN "power_factor_standard" smallint;--> statement-breakpoint
ALTER TABLE "meter_readings" ADD COLUMN "reactive" bigint;--> statement-breakpoint
ALTER TABLE "meter_readings" ADD COLUMN "max_demand" bigint;