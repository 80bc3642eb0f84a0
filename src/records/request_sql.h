/* SPDX-License-Identifier: MIT */
/*
 * SQL fragments about requests that the records and the grants share (not
 * public).
 */
#ifndef TF_REQUEST_SQL_H
#define TF_REQUEST_SQL_H

/*
 * A draw d (of table draws) of request q (of table requests) that belongs
 * to q's current funding: one of the run that funded it (q.run). Draws
 * written before draws named their run (run NULL) belong to the request's
 * only funding of that time, so they count when it has no draws of a
 * later run. A request funded again after an undo or a reinstatement has
 * the draws of each funding; only the last are its own.
 */
#define TF_SQL_CURRENT_DRAW(d, q)                                              \
    "(" q ".run IS NOT NULL AND (" d ".run = " q ".run OR (" d                 \
    ".run IS NULL AND NOT EXISTS (SELECT 1 FROM draws x WHERE x.request = " q  \
    ".ref AND x.run IS NOT NULL))))"

#endif
