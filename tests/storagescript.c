/*
 * storagescript.c - the operations of storagescript.h.
 */
#include "storagescript.h"

/* A plan with holds, tiers, milestones, points, a condition, clawbacks;
 * then deals through every kind of change. */
const spec storage_script[] = {
    { "program", "id", "p", "name", "Program", "currency", "USD" },
    { "level", "id", "l1", "program", "p", "name", "One", "rank:i", "1" },
    { "reward", "id", "pct", "level", "l1", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
      "percent", "rate", "10%", "clawback_days:i", "60" },
    { "reward", "id", "rep", "level", "l1", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
      "fixed", "amount", "50.00" },
    { "reward", "id", "tier", "program", "p", "name", "Tiers", "trigger", "deal_won", "recipient", "partner", "kind",
      "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from", "1000.00",
      "tiers.1.rate", "10%", "clawback_days:i", "60" },
    { "reward", "id", "ms", "program", "p", "name", "Two deals", "trigger", "deal_won", "recipient", "partner",
      "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at", "2", "thresholds.0.bonus",
      "30.00", "clawback_days:i", "60" },
    { "reward", "id", "pts", "program", "p", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
      "points", "points", "10", "auto_approve:b", "true" },
    { "reward", "id", "vip", "level", "l1", "name", "VIP", "trigger", "deal_won", "recipient", "partner", "kind",
      "fixed", "amount", "5.00", "when", "deal.attr.vip == true" },
    { "partner", "id", "acme", "program", "p", "level", "l1", "name", "Acme" },
    { "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true" },
    { "user", "id", "kim", "partner", "acme", "name", "Kim", "portal_access:b", "true" },
    { "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00", "user", "jo" },
    { "deal", "at", "2026-01-06", "id", "d2", "partner", "acme", "currency", "USD", "amount", "1500.00", "user", "kim",
      "attrs.vip:b", "true" },
    { "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", "event", "crm-won-d1" },
    { "stage", "at", "2026-01-11", "deal", "d2", "stage", "won" },
    { "approve", "at", "2026-02-01", "until", "2026-01-31" },
    { "payout", "at", "2026-02-02", "id", "run1", "until", "2026-01-31" },
    { "stage", "at", "2026-02-10", "deal", "d1", "stage", "cancelled" },
    { "amend", "at", "2026-02-11", "deal", "d2", "amount", "2000.00" },
    { "user_access", "at", "2026-02-12", "user", "kim", "portal_access:b", "false" },
    { "deal", "at", "2026-02-13", "id", "d3", "partner", "acme", "currency", "USD", "amount", "1000.00" },
    { "stage", "at", "2026-02-14", "deal", "d3", "stage", "won" },
    { "assign", "at", "2026-02-15", "deal", "d3", "user", "jo" },
    { "redeem", "at", "2026-02-16", "id", "rd", "recipient_type", "partner", "recipient", "acme", "points", "20" },
    { "approve", "at", "2026-03-01", "until", "2026-02-28" },
    { "payout", "at", "2026-03-02", "id", "run2", "until", "2026-02-28" },
    /* two tiers, an activity and a manual entry (SPEC.md section 13) */
    { "partner", "id", "sub", "program", "p", "level", "l1", "name", "Sub", "parent", "acme" },
    { "reward", "id", "ovr", "program", "p", "name", "Override", "recipient", "partner", "kind", "override", "rate",
      "10%" },
    { "reward", "id", "cert", "program", "p", "name", "Cert", "trigger", "activity:cert", "recipient", "partner",
      "kind", "fixed", "amount", "7.00" },
    { "deal", "at", "2026-03-03", "id", "s1", "partner", "sub", "currency", "USD", "amount", "100.00" },
    { "stage", "at", "2026-03-04", "deal", "s1", "stage", "won" },
    { "activity", "at", "2026-03-05", "id", "act1", "partner", "sub", "type", "cert", "event", "crm-act1" },
    { "adjust", "at", "2026-03-06", "id", "adj1", "partner", "sub", "amount", "-1.00", "deal", "s1", "note", "n" },
    { "stage", "at", "2026-03-07", "deal", "s1", "stage", "cancelled" },
};
const size_t storage_script_len = sizeof storage_script / sizeof storage_script[0];
