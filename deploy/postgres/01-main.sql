-- Grpo.Orleans: the query catalogue every Orleans ADO.NET provider reads at start-up.
-- Adapted from dotnet/orleans src/AdoNet/Shared/PostgreSQL-Main.sql (MIT licence, see ORIGIN.md).
-- Differences from the original: idempotent (IF NOT EXISTS), so create-schema.sh can run any number of times.
--
-- Contract (from the original's notes): Orleans reads query results by column name and type and binds
-- parameters by name; a query that reports success returns a value > 0, failure = 0 or an error.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey varchar(64) NOT NULL,
    QueryText varchar(8000) NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY(QueryKey)
);
