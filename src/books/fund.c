/* SPDX-License-Identifier: MIT */
/*
 * The fund handle, settings and identifiers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/audit_internal.h"
#include "fund_internal.h"

static const struct {
    const char *key, *value;
} default_settings[] = {
    {"fund_name", "Voluntary Trust Fund"},
    {"base_currency", "USD"},
    {"psc_rate", "0.13"},
    {"reserve_rate", "0"},
    {"quota_ldc", "2"},
    {"quota_developing", "1"},
    {"cost_tolerance", "0.5"},
};

static tf_error load_base(tf_fund *fund, tf_diag *diag)
{
    char code[16];
    tf_error err =
        tf_setting_get(fund, "base_currency", code, sizeof(code), diag);

    if (err)
        return err;
    fund->base = tf_currency_find(code);
    if (!fund->base)
        return tf_diag_set(diag, TF_ERR_DB,
                           "the base currency '%s' is not known", code);
    return TF_OK;
}

tf_error tf_fund_create_begin(tf_fund **out, const char *path, tf_diag *diag)
{
    tf_fund *fund;
    tf_error err;
    size_t i;

    *out = NULL;
    fund = calloc(1, sizeof(*fund));
    if (!fund)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    tf_db_set_migration_hook(tf_audit_migrated);
    err = tf_db_open(&fund->db, path, 1, diag);
    if (err) {
        free(fund);
        return err;
    }
    if ((err = tf_fund_begin(fund, diag)))
        goto fail;
    for (i = 0; i < sizeof(default_settings) / sizeof(default_settings[0]);
         i++) {
        tf_stmt *st = tf_db_prepare(
            fund->db, "INSERT INTO settings (key, value) VALUES (?1, ?2)",
            diag);
        if (!st) {
            err = TF_ERR_DB;
            goto fail;
        }
        tf_stmt_text(st, 1, default_settings[i].key);
        tf_stmt_text(st, 2, default_settings[i].value);
        if ((err = tf_stmt_run(st, diag)))
            goto fail;
    }
    *out = fund;
    return TF_OK;
fail:
    tf_fund_create_abandon(fund, path);
    return err;
}

tf_error tf_fund_create_end(tf_fund *fund, tf_diag *diag)
{
    tf_error err = tf_fund_commit(fund, diag);

    return err ? err : load_base(fund, diag);
}

void tf_fund_create_abandon(tf_fund *fund, const char *path)
{
    tf_fund_close(fund);
    remove(path);
}

tf_error tf_fund_approvals(tf_fund *fund, tf_approvals *out, tf_diag *diag)
{
    char value[32];
    tf_diag sub;
    tf_stmt *st;
    tf_error err;
    int rc;

    tf_diag_clear(&sub);
    err = tf_setting_get(fund, "approvals", value, sizeof(value), &sub);
    if (!err) {
        *out = !strcmp(value, "certify-approve") ? TF_APPROVALS_CERTIFY
               : !strcmp(value, "approve")       ? TF_APPROVALS_APPROVE
                                                 : TF_APPROVALS_NONE;
        return TF_OK;
    }
    if (err != TF_ERR_NOTFOUND)
        return tf_diag_set(diag, err, "%s", sub.msg);
    /* Unset: certify-approve in a team fund (one with a user: the first
     * user makes it one, sql/005_users.sql), none in a fund of one
     * person. */
    if (!(st = tf_db_prepare(fund->db, "SELECT 1 FROM users LIMIT 1", diag)))
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    tf_stmt_reset(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    *out = rc > 0 ? TF_APPROVALS_CERTIFY : TF_APPROVALS_NONE;
    return TF_OK;
}

tf_error tf_fund_duplicate(tf_fund *fund, tf_stmt *st, char *other, size_t size,
                           int *found, tf_diag *diag)
{
    int rc = tf_stmt_step(st);

    *found = 0;
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return TF_OK;
    }
    snprintf(other, size, "%s", tf_col_text(st, 0));
    tf_stmt_reset(st);
    if (fund->allow_duplicates) {
        fund->duplicates++;
        return TF_OK;
    }
    *found = 1;
    return TF_OK;
}

void tf_fund_allow_duplicates(tf_fund *fund, int allow)
{
    fund->allow_duplicates = allow;
}

long tf_fund_duplicates(const tf_fund *fund)
{
    return fund->duplicates;
}

tf_error tf_fund_check_open(tf_fund *fund, tf_diag *diag)
{
    char closed[32];
    tf_diag sub;
    tf_error err;

    /* An import asks once per row: inside a write transaction the answer
     * holds until the transaction ends (or closes the fund). */
    if (fund->open_checked)
        return TF_OK;
    tf_diag_clear(&sub);
    err = tf_setting_get(fund, "closed_on", closed, sizeof(closed), &sub);
    if (err == TF_ERR_NOTFOUND) {
        fund->open_checked = tf_db_in_tx(fund->db);
        return TF_OK;
    }
    if (err) /* a failed read is not an open fund */
        return tf_diag_set(diag, err, "%s", sub.msg);
    return tf_diag_set(diag, TF_ERR_RULE,
                       "the fund was closed on %s: it accepts no new "
                       "activity",
                       closed);
}

tf_error tf_fund_open(tf_fund **out, const char *path, tf_diag *diag)
{
    tf_fund *fund;
    tf_error err;

    *out = NULL;
    fund = calloc(1, sizeof(*fund));
    if (!fund)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    tf_db_set_migration_hook(tf_audit_migrated);
    err = tf_db_open(&fund->db, path, 0, diag);
    if (!err)
        err = load_base(fund, diag);
    if (err) {
        tf_fund_close(fund);
        return err;
    }
    *out = fund;
    return TF_OK;
}

void tf_fund_close(tf_fund *fund)
{
    if (!fund)
        return;
    if (fund->db)
        tf_db_rollback(fund->db);
    tf_ledger_forget(fund);
    free(fund->deltas);
    tf_strmap_release(&fund->delta_index);
    tf_strmap_release(&fund->donors_known);
    tf_audit_free(fund);
    tf_db_close(fund->db);
    free(fund);
}

tf_error tf_fund_begin(tf_fund *fund, tf_diag *diag)
{
    tf_error err;

    tf_ledger_forget(fund);
    if ((err = tf_db_begin(fund->db, diag)))
        return err;
    /* What the transaction inserts is read back at its commit. */
    if ((err = tf_audit_mark(fund, diag)))
        tf_fund_rollback(fund);
    return err;
}

tf_error tf_fund_commit(tf_fund *fund, tf_diag *diag)
{
    /* No pool left below zero today; then the event of what the
     * transaction wrote, in the transaction. */
    tf_error err = tf_pools_guard(fund, diag);

    if (!err)
        err = tf_audit_append(fund, diag);
    if (!err)
        err = tf_ledger_flush(fund, diag);
    if (err) {
        tf_fund_rollback(fund);
        return err;
    }
    tf_ledger_forget(fund);
    return tf_db_commit(fund->db, diag);
}

void tf_fund_rollback(tf_fund *fund)
{
    tf_ledger_forget(fund);
    tf_audit_forget(fund);
    tf_db_rollback(fund->db);
}

tf_error tf_fund_backup(tf_fund *fund, const char *path, tf_diag *diag)
{
    return tf_db_backup(fund->db, path, diag);
}

const tf_currency *tf_fund_base(const tf_fund *fund)
{
    return fund->base;
}

char *tf_fund_fmt(const tf_fund *fund, char *buf, int64_t amount, int grouping)
{
    tf_amount_format(buf, TF_AMOUNT_BUFSZ, amount, fund->base->minor, grouping);
    return buf;
}

tf_error tf_fund_parse(const tf_fund *fund, int64_t *out, const char *text,
                       int allow_negative, tf_diag *diag)
{
    return tf_amount_parse(out, text, fund->base, allow_negative, diag);
}

/* ---- Settings ------------------------------------------------------- */

tf_error tf_setting_get(tf_fund *fund, const char *key, char *buf, size_t size,
                        tf_diag *diag)
{
    tf_stmt *st;
    tf_error err = tf_db_get(
        fund->db, "SELECT value FROM settings WHERE key = ?1", key, &st, diag);

    if (err)
        return err;
    if (!st) {
        buf[0] = '\0';
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "no setting '%s'", key);
    }
    snprintf(buf, size, "%s", tf_col_text(st, 0));
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_setting_int(tf_fund *fund, const char *key, int64_t *out,
                        tf_diag *diag)
{
    char buf[32];
    tf_error err = tf_setting_get(fund, key, buf, sizeof(buf), diag);
    long v;

    if (err)
        return err;
    v = tf_parse_count(buf);
    if (v < 0)
        return tf_diag_set(diag, TF_ERR_DB, "setting '%s' is not a count", key);
    *out = v;
    return TF_OK;
}

static tf_error store_setting(tf_fund *fund, const char *key, const char *value,
                              tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "INSERT INTO settings (key, value) "
                                "VALUES (?1, ?2) ON CONFLICT (key) DO "
                                "UPDATE SET value = excluded.value",
                                diag);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, key);
    tf_stmt_text(st, 2, value);
    return tf_stmt_run(st, diag);
}

static tf_error check_ratio(const char *key, const char *value, char *canon,
                            size_t size, tf_diag *diag)
{
    tf_diag sub;

    tf_diag_clear(&sub);
    if (tf_decimal_parse(canon, size, value, 1, &sub))
        return tf_diag_set(diag, TF_ERR_INPUT, "%s: %s", key, sub.msg);
    /* A rate above 1 is a typing slip (13 for 0.13), never a UN rate. */
    if (strcmp(canon, "1") != 0 && canon[0] != '0')
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "%s '%s' must be between 0 and 1 (0.13 is 13%%)",
                           key, value);
    return TF_OK;
}

tf_error tf_setting_set(tf_fund *fund, const char *key, const char *value,
                        tf_diag *diag)
{
    char canon[64];

    if (!strcmp(key, "psc_rate") || !strcmp(key, "reserve_rate")) {
        tf_error err = check_ratio(key, value, canon, sizeof(canon), diag);
        if (err)
            return err;
        /* A larger reserve leaves less available: checked at commit. */
        if (!strcmp(key, "reserve_rate")) {
            if ((err = tf_pools_guard_arm(fund, diag)))
                return err;
            tf_pools_guard_what(fund, "reserve_rate %s", canon);
        }
        return store_setting(fund, key, canon, diag);
    }
    if (!strcmp(key, "quota_ldc") || !strcmp(key, "quota_developing")) {
        long v = tf_parse_count(value);
        if (v < 0 || v > 1000)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "%s '%s' must be a whole number from 0 to "
                               "1000",
                               key, value);
        snprintf(canon, sizeof(canon), "%ld", v);
        return store_setting(fund, key, canon, diag);
    }
    if (!strcmp(key, "base_currency")) {
        const tf_currency *cur = tf_currency_find(value);
        int64_t count = 0;
        tf_error err;
        if (!cur)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "unknown currency '%s' (ISO 4217 code)", value);
        if ((err = tf_ledger_head(fund, &count, NULL, diag)))
            return err;
        if (count > 0 && cur != fund->base)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "the base currency cannot change once the "
                               "books have entries");
        if ((err = store_setting(fund, key, cur->code, diag)))
            return err;
        fund->base = cur;
        return TF_OK;
    }
    if (!strcmp(key, "cost_tolerance")) {
        /* How far an actual charge may pass the committed before a
         * disbursement asks for --force: 0.5 = 50%. */
        tf_diag sub;
        tf_diag_clear(&sub);
        if (tf_decimal_parse(canon, sizeof(canon), value, 1, &sub))
            return tf_diag_set(diag, TF_ERR_INPUT, "%s: %s", key, sub.msg);
        if (strchr(canon, '.') ? atoi(canon) >= 100 : atol(canon) >= 100)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "%s '%s' must be below 100 (0.5 is 50%%)", key,
                               value);
        return store_setting(fund, key, canon, diag);
    }
    if (!strcmp(key, "approvals")) {
        if (strcmp(value, "none") && strcmp(value, "approve") &&
            strcmp(value, "certify-approve"))
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "approvals is none, approve or "
                               "certify-approve");
        return store_setting(fund, key, value, diag);
    }
    if (!strcmp(key, "fund_name")) {
        if (!*value || strlen(value) > 200)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "fund_name must have 1 to 200 characters");
        if (tf_text_check("fund_name", value, 200, 0, diag))
            return TF_ERR_INPUT;
        return store_setting(fund, key, value, diag);
    }
    if (!strcmp(key, "closed_through"))
        return tf_diag_set(diag, TF_ERR_USAGE,
                           "closed_through is set by 'tfund period close "
                           "DATE'");
    return tf_diag_set(diag, TF_ERR_USAGE,
                       "unknown setting '%s' (one of fund_name, "
                       "base_currency, psc_rate, reserve_rate, quota_ldc, "
                       "quota_developing, cost_tolerance, approvals)",
                       key);
}

tf_error tf_setting_each(tf_fund *fund,
                         int (*fn)(void *ctx, const char *key,
                                   const char *value),
                         void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, "SELECT key, value FROM settings ORDER BY key", diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0)
        if (fn(ctx, tf_col_text(st, 0), tf_col_text(st, 1)))
            break;
    return tf_stmt_done(st, rc, diag);
}
