/* SPDX-License-Identifier: MIT */
/* tfund: the books of a voluntary trust fund. The umbrella header. */
#ifndef TFUND_TFUND_H
#define TFUND_TFUND_H

#include "tfund/error.h"
#include "tfund/money.h"
#include "tfund/date.h"
#include "tfund/books.h"
#include "tfund/text.h"
#include "tfund/csv.h"
#include "tfund/fund.h"
#include "tfund/ledger.h"
#include "tfund/import.h"
#include "tfund/allocate.h"
#include "tfund/surplus.h"
#include "tfund/users.h"
#include "tfund/statement.h"
#include "tfund/treasury.h"
#include "tfund/outfile.h"

#endif
