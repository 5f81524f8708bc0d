/*	$fivefifty: pgsql_dl.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_dl 3 - libpq loaded when a PostgreSQL state is opened
 * SYNOPSIS
 *	const char *pg_dl_error(void);
 *	and the libpq calls the backend makes (libpq-fe.h), by their names
 * DESCRIPTION
 *	fivefifty is not linked with libpq: each of the libpq functions the
 *	PostgreSQL backend (pgsql_*.c) calls is defined here with libpq's
 *	own prototype and hands its arguments to the function of that name
 *	in libpq.so.5, loaded with dlopen(3) at the first call (once per
 *	process, pthread_once(3)). libpq brings 35 more libraries (Kerberos,
 *	LDAP, TLS): loading them took 9 of the 17 ms that every fivefifty
 *	command took to start, and every start of the daemon, on a host
 *	whose state is SQLite and never needs them.
 *
 *	pg_dl_error() is NULL once libpq is loaded (or before the first
 *	call), else why it cannot be: the library's name, dlerror(3)'s
 *	words and what to install.
 * DIAGNOSTICS
 *	Without libpq, the calls fail as libpq fails without memory: a
 *	connection is NULL, its status CONNECTION_BAD, its error message
 *	pg_dl_error()'s, a result NULL (PGRES_FATAL_ERROR), a count 0, a
 *	socket -1. The backend's open says "cannot connect" with that
 *	message.
 * SECURITY
 *	The library is loaded by its soname from the system's paths only
 *	(no path from the configuration or the environment beyond what
 *	ld.so(8) itself reads), with RTLD_LOCAL: its symbols do not
 *	interpose anyone's.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgsql_int.h"

#define PQ_SONAME	"libpq.so.5"

/* The libpq functions the backend calls: one list for the table and its
 * load; each pointer's type is libpq-fe.h's own declaration. */
#define PQ_FUNCS X(PQclear) X(PQgetvalue) X(PQntuples) X(PQnfields) \
	X(PQgetisnull) X(PQresultStatus) X(PQfinish) X(PQstatus) \
	X(PQerrorMessage) X(PQfreemem) X(PQunescapeBytea) \
	X(PQputCopyData) X(PQputCopyEnd) X(PQexec) \
	X(PQtransactionStatus) X(PQsocket) X(PQreset) X(PQprepare) \
	X(PQexecParams) X(PQexecPrepared) X(PQconnectdb) \
	X(PQconnectStartParams) X(PQconnectPoll) X(PQnotifies) \
	X(PQisthreadsafe) X(PQgetResult) X(PQconsumeInput)

/* The table of libpq's own functions, by their names. */
static struct {
#define X(f)	__typeof__(f) *f;
	PQ_FUNCS
#undef X
} pq;

static pthread_once_t	 pq_once = PTHREAD_ONCE_INIT;
static int		 pq_ok;
static char		 pq_err[512];

/* SYM - one of libpq's functions into the table, or the load fails */
#define SYM(f) do {							\
	*(void **)&pq.f = dlsym(h, #f);					\
	if (pq.f == NULL) {						\
		snprintf(pq_err, sizeof(pq_err), "%s has no %s (a "	\
		    "libpq older than PostgreSQL 9.1?): install "	\
		    "libpq5 from the distribution", PQ_SONAME, #f);	\
		return;							\
	}								\
} while (0)

/* pq_load - dlopen libpq and fill the table; pq_ok, else pq_err */
static void
pq_load(void)
{
	void		*h;
	const char	*e;

	if ((h = dlopen(PQ_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(pq_err, sizeof(pq_err), "cannot load %s, PostgreSQL's "
		    "client library (%s): install it (apt install libpq5)",
		    PQ_SONAME, e != NULL ? e : "unknown error");
		return;
	}
#define X(f)	SYM(f);
	PQ_FUNCS
#undef X
	pq_ok = 1;
}

/* loaded - libpq is there (loaded now if it was not yet) */
static int
loaded(void)
{
	(void)pthread_once(&pq_once, pq_load);
	return (pq_ok);
}

/* pg_dl_error - why libpq cannot be loaded, or NULL */
const char *
pg_dl_error(void)
{
	return (pq_err[0] != '\0' ? pq_err : NULL);
}

/* PQconnectdb - libpq's, loaded first */
PGconn *
PQconnectdb(const char *conninfo)
{
	return (loaded() ? pq.PQconnectdb(conninfo) : NULL);
}

/* PQconnectStartParams - libpq's, loaded first */
PGconn *
PQconnectStartParams(const char *const *keywords, const char *const *values,
    int expand_dbname)
{
	return (loaded() ? pq.PQconnectStartParams(keywords, values,
	    expand_dbname) : NULL);
}

/* PQconnectPoll - libpq's */
PostgresPollingStatusType
PQconnectPoll(PGconn *conn)
{
	return (loaded() ? pq.PQconnectPoll(conn) : PGRES_POLLING_FAILED);
}

/* PQisthreadsafe - libpq's */
int
PQisthreadsafe(void)
{
	return (loaded() ? pq.PQisthreadsafe() : 0);
}

/* PQstatus - libpq's; without libpq, no connection is good */
ConnStatusType
PQstatus(const PGconn *conn)
{
	return (loaded() ? pq.PQstatus(conn) : CONNECTION_BAD);
}

/* PQerrorMessage - libpq's; without libpq, why it cannot be loaded */
char *
PQerrorMessage(const PGconn *conn)
{
	return (loaded() ? pq.PQerrorMessage(conn) : pq_err);
}

/* PQfinish - libpq's */
void
PQfinish(PGconn *conn)
{
	if (loaded())
		pq.PQfinish(conn);
}

/* PQreset - libpq's */
void
PQreset(PGconn *conn)
{
	if (loaded())
		pq.PQreset(conn);
}

/* PQsocket - libpq's */
int
PQsocket(const PGconn *conn)
{
	return (loaded() ? pq.PQsocket(conn) : -1);
}

/* PQtransactionStatus - libpq's */
PGTransactionStatusType
PQtransactionStatus(const PGconn *conn)
{
	return (loaded() ? pq.PQtransactionStatus(conn) : PQTRANS_UNKNOWN);
}

/* PQexec - libpq's */
PGresult *
PQexec(PGconn *conn, const char *query)
{
	return (loaded() ? pq.PQexec(conn, query) : NULL);
}

/* PQprepare - libpq's */
PGresult *
PQprepare(PGconn *conn, const char *stmtName, const char *query,
    int nParams, const Oid *paramTypes)
{
	return (loaded() ? pq.PQprepare(conn, stmtName, query, nParams,
	    paramTypes) : NULL);
}

/* PQexecParams - libpq's */
PGresult *
PQexecParams(PGconn *conn, const char *command, int nParams,
    const Oid *paramTypes, const char *const *paramValues,
    const int *paramLengths, const int *paramFormats, int resultFormat)
{
	return (loaded() ? pq.PQexecParams(conn, command, nParams, paramTypes,
	    paramValues, paramLengths, paramFormats, resultFormat) : NULL);
}

/* PQexecPrepared - libpq's */
PGresult *
PQexecPrepared(PGconn *conn, const char *stmtName, int nParams,
    const char *const *paramValues, const int *paramLengths,
    const int *paramFormats, int resultFormat)
{
	return (loaded() ? pq.PQexecPrepared(conn, stmtName, nParams,
	    paramValues, paramLengths, paramFormats, resultFormat) : NULL);
}

/* PQgetResult - libpq's */
PGresult *
PQgetResult(PGconn *conn)
{
	return (loaded() ? pq.PQgetResult(conn) : NULL);
}

/* PQputCopyData - libpq's */
int
PQputCopyData(PGconn *conn, const char *buffer, int nbytes)
{
	return (loaded() ? pq.PQputCopyData(conn, buffer, nbytes) : -1);
}

/* PQputCopyEnd - libpq's */
int
PQputCopyEnd(PGconn *conn, const char *errormsg)
{
	return (loaded() ? pq.PQputCopyEnd(conn, errormsg) : -1);
}

/* PQconsumeInput - libpq's */
int
PQconsumeInput(PGconn *conn)
{
	return (loaded() ? pq.PQconsumeInput(conn) : 0);
}

/* PQnotifies - libpq's */
PGnotify *
PQnotifies(PGconn *conn)
{
	return (loaded() ? pq.PQnotifies(conn) : NULL);
}

/* PQresultStatus - libpq's; a missing result is a fatal error there too */
ExecStatusType
PQresultStatus(const PGresult *res)
{
	return (loaded() ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR);
}

/* PQntuples - libpq's */
int
PQntuples(const PGresult *res)
{
	return (loaded() ? pq.PQntuples(res) : 0);
}

/* PQnfields - libpq's */
int
PQnfields(const PGresult *res)
{
	return (loaded() ? pq.PQnfields(res) : 0);
}

/* PQgetvalue - libpq's */
char *
PQgetvalue(const PGresult *res, int tup_num, int field_num)
{
	return (loaded() ? pq.PQgetvalue(res, tup_num, field_num) : NULL);
}

/* PQgetisnull - libpq's */
int
PQgetisnull(const PGresult *res, int tup_num, int field_num)
{
	return (loaded() ? pq.PQgetisnull(res, tup_num, field_num) : 1);
}

/* PQclear - libpq's */
void
PQclear(PGresult *res)
{
	if (loaded())
		pq.PQclear(res);
}

/* PQfreemem - libpq's */
void
PQfreemem(void *ptr)
{
	if (loaded())
		pq.PQfreemem(ptr);
}

/* PQunescapeBytea - libpq's */
unsigned char *
PQunescapeBytea(const unsigned char *strtext, size_t *retbuflen)
{
	return (loaded() ? pq.PQunescapeBytea(strtext, retbuflen) : NULL);
}
