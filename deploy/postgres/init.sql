-- One database and one role per service: a service can reach only its own data
-- (services share nothing but the event contracts). Run once by the postgres
-- image on an empty volume (psql, as the superuser). Passwords come from the
-- container's environment (psql 15 \getenv): MEMBERS_DB_PASSWORD,
-- MEETINGS_DB_PASSWORD, REPORTS_DB_PASSWORD.
\set ON_ERROR_STOP on

\getenv members_password MEMBERS_DB_PASSWORD
\getenv meetings_password MEETINGS_DB_PASSWORD
\getenv reports_password REPORTS_DB_PASSWORD

CREATE ROLE members LOGIN PASSWORD :'members_password';
CREATE ROLE meetings LOGIN PASSWORD :'meetings_password';
CREATE ROLE reports LOGIN PASSWORD :'reports_password';
-- `python -m reports.cli rebuild` replays the log into a new database (reports_g<N>), then switches to it.
ALTER ROLE reports CREATEDB;

CREATE DATABASE members OWNER members ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE meetings OWNER meetings ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE reports OWNER reports ENCODING 'UTF8' TEMPLATE template0;

REVOKE ALL ON DATABASE members FROM PUBLIC;
REVOKE ALL ON DATABASE meetings FROM PUBLIC;
REVOKE ALL ON DATABASE reports FROM PUBLIC;
