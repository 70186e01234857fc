package io.pgrds.apply;

import io.pgrds.util.Sql;

/** The roles pgrds needs, created where missing with the cluster's passwords (the SQL never shows them). */
final class Roles {
    private final ApplyContext ctx;

    Roles(ApplyContext ctx) {
        this.ctx = ctx;
    }

    void createRoles(NodeOps n) {
        Secrets s = ctx.secretsOrCreate(n);
        StringBuilder sql = new StringBuilder("set log_statement = 'none';\n");
        StringBuilder shown = new StringBuilder("set log_statement = 'none';\n");
        for (String[] role : new String[][] {{"admin", "LOGIN SUPERUSER"}, {"pgrds", "LOGIN SUPERUSER"},
                {"replicator", "LOGIN REPLICATION"}}) {
            String stmt = "do $$ begin if not exists (select 1 from pg_roles where rolname = " + Sql.literal(role[0])
                    + ") then create role " + Sql.identifier(role[0]) + " " + role[1] + " password %s; end if; "
                    + "end $$;\n";
            sql.append(String.format(stmt, Sql.literal(s.password(role[0]))));
            shown.append(String.format(stmt, "'********'"));
        }
        n.execute("create roles", sql.toString(), shown.toString().strip());
    }
}
