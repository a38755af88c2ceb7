-- The role Haven's server processes connect as on PostgreSQL: it reads and writes the data,
-- may only INSERT and SELECT audit events and stock movements, and owns nothing (so it cannot
-- drop the triggers that keep the audit trail and the stock ledger append-only either). Run as
-- the owner, after `haven migrate`:
--
--   psql -v app_role=haven_app -f deploy/postgres-app-role.sql haven
--
-- then set the role's password and use it in HAVEN_DATABASE_URL for `haven serve`
-- (migrations keep running as the owner).
CREATE ROLE :"app_role" LOGIN;
GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON stock_movement FROM :"app_role";
REVOKE ALL ON tortoise_migrations FROM :"app_role";
GRANT SELECT ON tortoise_migrations TO :"app_role";
