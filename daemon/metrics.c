/*	$fivefifty: metrics.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	metrics 3 - the daemon's Prometheus metrics: counted, printed, and
 *	written for node_exporter's textfile collector
 * SYNOPSIS
 *	void	metrics_event(struct metrics *m, int source,
 *		    const struct pf_event *ev);
 *	void	metrics_ban(struct metrics *m, const struct score_decision *d,
 *		    int line);
 *	void	metrics_acked(struct metrics *m, int ok);
 *	long long metrics_now_us(void);
 *	void	metrics_print(struct daemon *d, FILE *out);
 *	void	metrics_tick(struct daemon *d, long long ms);
 *	void	metrics_status(struct daemon *d, FILE *out);
 *	void	metrics_stop(struct daemon *d);
 * DESCRIPTION
 *	The loop counts: metrics_event() an event scored (of log source
 *	LOG_SOURCE_FILE or LOG_SOURCE_JOURNAL), by kind, and a reject's
 *	class; metrics_ban() a ban handed to the enforcer, by the rule that
 *	tipped it ("manual" for a ban by hand; a name that is not a plain
 *	rule name, or the METRICS_RULES + 1st name, counts as "other").
 *	With line set, the ban was decided by a line of the read that began
 *	at m->arrival_us (the loop sets it around each read): it waits for
 *	the kernel, and metrics_acked(), called after the kernel batch,
 *	puts the time from the read to now into the ban latency histogram
 *	when ok (the kernel acked it), or forgets it (no kernel sets, or
 *	the batch failed).
 *
 *	metrics_print() writes every metric in the text exposition format
 *	(util/prom.c): `fivefifty status --format prometheus` asks for it
 *	over the control socket, and metrics_tick(), called each turn of
 *	the loop, writes it to metrics_file every metrics_interval: into a
 *	temporary file next to it (its name ends in random letters, not in
 *	.prom, so node_exporter never reads it), mode 0644, then renamed
 *	over metrics_file, so that a reader sees the old file or the new
 *	one, never a part. metrics_file changed by a reload: the old file
 *	is removed. metrics_status() is status's line about it;
 *	metrics_stop() removes the file at a clean stop, so that a stopped
 *	daemon shows no metrics rather than numbers that no longer move.
 * SECURITY
 *	Label values are fivefifty's own words (kinds, classes, rules, the
 *	source, the states), never peer text: a rule's name is taken only
 *	when it is made of [A-Za-z0-9 _.:-]. The file is written as the
 *	daemon's user; mkostemp() makes the temporary file (O_EXCL, never
 *	through a link someone placed).
 * DIAGNOSTICS
 *	A write that fails is logged once with the path and what to do, and
 *	status says "metrics_file failing: ..." until one works again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon_int.h"
#include "util/prom.h"
#include "util/util.h"

/* The ban latency histogram's upper bounds, seconds. */
static const double le[METRICS_LE] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5
};

/* metrics_now_us - the monotonic clock in microseconds */
long long
metrics_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* metrics_event - one event scored */
void
metrics_event(struct metrics *m, int source, const struct pf_event *ev)
{
	m->events[source == LOG_SOURCE_JOURNAL ? LOG_SOURCE_JOURNAL :
	    LOG_SOURCE_FILE]++;
	if ((unsigned)ev->kind < PF_EV_COUNT)
		m->kinds[ev->kind]++;
	if (ev->kind == PF_EV_REJECT)
		m->classes[(unsigned)ev->class < PF_CLASS_COUNT &&
		    ev->class != PF_CLASS_NONE ? ev->class : PF_CLASS_OTHER]++;
}

/* rule_name - a rule's name as a label value: [A-Za-z0-9 _.:-] only */
static int
rule_name(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n >= METRICS_RULE_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr(" _.:-", s[i]) != NULL))
			return (0);
	return (1);
}

/* metrics_ban - a ban handed to the enforcer; line: decided by a line of
 * the read under way (its latency is measured at the kernel's ack) */
void
metrics_ban(struct metrics *m, const struct score_decision *d, int line)
{
	const char	*r = d->manual ? "manual" : d->reason;
	int		 i;

	for (i = 0; i < m->nrules; i++)
		if (strcmp(m->rule[i], r) == 0)
			break;
	if (i == m->nrules) {
		if (!rule_name(r) || m->nrules == METRICS_RULES)
			i = -1;
		else		/* rule_name(): shorter than METRICS_RULE_MAX */
			memcpy(m->rule[m->nrules++], r, strlen(r) + 1);
	}
	if (i >= 0)
		m->rule_n[i]++;
	else
		m->rule_other++;
	if (!line || d->manual || m->arrival_us == 0)
		return;
	if (m->npend > 0 && m->pend_at[m->npend - 1] == m->arrival_us)
		m->pend_n[m->npend - 1]++;
	else if (m->npend < METRICS_PENDING) {
		m->pend_at[m->npend] = m->arrival_us;
		m->pend_n[m->npend++] = 1;
	} else		/* never with the loop as it is: the oldest read */
		m->pend_n[m->npend - 1]++;
}

/* metrics_acked - the kernel batch is done (ok: acked): the latency of
 * the bans that waited for it */
void
metrics_acked(struct metrics *m, int ok)
{
	long long	 now;
	double		 s;
	int		 i, b;

	if (m->npend == 0)
		return;
	now = metrics_now_us();
	for (i = 0; ok && i < m->npend; i++) {
		s = (double)(now - m->pend_at[i]) / 1e6;
		for (b = 0; b < METRICS_LE && s > le[b]; b++)
			;
		m->lat[b] += m->pend_n[i];
		m->lat_sum += s * m->pend_n[i];
	}
	m->npend = 0;
}

/* rss - resident bytes of this process (0: unknown) */
static unsigned long long
rss(void)
{
	unsigned long long size = 0, res = 0;
	long		 page = sysconf(_SC_PAGESIZE);
	FILE		*fp;

	if ((fp = fopen("/proc/self/statm", "re")) == NULL)
		return (0);
	if (fscanf(fp, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(fp);
	return (res * (unsigned long long)(page > 0 ? page : 4096));
}

/* state_set - a gauge per state, 1 for the one that holds */
static void
state_set(FILE *out, const char *name, const char *help,
    const char *const *states, const char *now)
{
	prom_family(out, name, "gauge", help);
	for (; *states != NULL; states++)
		prom_u(out, name, "state", *states, strcmp(*states, now) == 0);
}

/* print_reading - what was read and scored */
static void
print_reading(struct daemon *d, FILE *out)
{
	static const char *const src[] = { NULL, "file", "journal" };
	int		 i;

	prom_family(out, "fivefifty_lines_read_total", "counter",
	    "Log lines read, by log source (file: mail_log, journal).");
	for (i = LOG_SOURCE_FILE; i <= LOG_SOURCE_JOURNAL; i++)
		prom_u(out, "fivefifty_lines_read_total", "source", src[i],
		    d->m.lines[i]);
	prom_family(out, "fivefifty_events_read_total", "counter",
	    "Postfix events scored (of log_hostname), by log source.");
	for (i = LOG_SOURCE_FILE; i <= LOG_SOURCE_JOURNAL; i++)
		prom_u(out, "fivefifty_events_read_total", "source", src[i],
		    d->m.events[i]);
	prom_family(out, "fivefifty_events_total", "counter",
	    "Postfix events scored, by kind.");
	for (i = 1; i < PF_EV_COUNT; i++)
		prom_u(out, "fivefifty_events_total", "kind",
		    pf_kind_name((enum pf_kind)i), d->m.kinds[i]);
	prom_family(out, "fivefifty_rejects_total", "counter",
	    "Reject events scored, by the class of their reason.");
	for (i = 1; i < PF_CLASS_COUNT; i++)
		prom_u(out, "fivefifty_rejects_total", "class",
		    pf_class_name((enum pf_class)i), d->m.classes[i]);
	prom_family(out, "fivefifty_clients_watched", "gauge",
	    "Clients (addresses and prefixes) the scorer watches.");
	prom_u(out, "fivefifty_clients_watched", NULL, NULL,
	    scorer_nclients(d->s));
}

/* print_bans - bans decided, in force, lifted, and how fast */
static void
print_bans(struct daemon *d, FILE *out)
{
	const struct fw_stats *fs = fw_stats(d->fw);
	int		 i;

	prom_family(out, "fivefifty_bans_in_force", "gauge",
	    "Bans in force (addresses and networks).");
	prom_u(out, "fivefifty_bans_in_force", NULL, NULL, fs->bans);
	prom_family(out, "fivefifty_bans_decided_total", "counter",
	    "Bans handed to the enforcer, by the rule that tipped them "
	    "(manual: by hand).");
	for (i = 0; i < d->m.nrules; i++)
		prom_u(out, "fivefifty_bans_decided_total", "rule",
		    d->m.rule[i], d->m.rule_n[i]);
	prom_u(out, "fivefifty_bans_decided_total", "rule", "other",
	    d->m.rule_other);
	prom_family(out, "fivefifty_unbans_total", "counter",
	    "Bans lifted before their end (fivefifty unban).");
	prom_u(out, "fivefifty_unbans_total", NULL, NULL, d->unbans);
	prom_family(out, "fivefifty_ban_latency_seconds", "histogram",
	    "From the read of the log line that tipped a ban to the "
	    "kernel's ack of the batch that holds it.");
	prom_histogram(out, "fivefifty_ban_latency_seconds", le, d->m.lat,
	    METRICS_LE, d->m.lat_sum);
	prom_family(out, "fivefifty_kernel_ranges", "gauge",
	    "Address ranges fivefifty holds in the kernel sets.");
	prom_u(out, "fivefifty_kernel_ranges", NULL, NULL, fs->elements);
}

/* print_health - the enforcer, the map, the state, the breaker */
static void
print_health(struct daemon *d, FILE *out)
{
	static const char *const fw[] = { "ok", "failing", "off", NULL };
	static const char *const map[] = { "ok", "failing", "none", NULL };
	static const char *const st[] = { "ok", "failing", NULL };
	static const char *const br[] = { "closed", "open", NULL };
	const struct fw_stats *fs = fw_stats(d->fw);
	struct breaker_stats bs;
	struct state_health h;
	uint64_t	 pkts, bytes;
	char		 mt[640];
	const char	*ms;

	state_health(d->st, &h);
	breaker_stats(d->br, &bs);
	prom_family(out, "fivefifty_firewall_flush_errors_total", "counter",
	    "Kernel batches (netlink) that failed.");
	prom_u(out, "fivefifty_firewall_flush_errors_total", NULL, NULL,
	    fs->batch_errors);
	prom_family(out, "fivefifty_map_write_errors_total", "counter",
	    "Rewrites of access_map (postmap) that failed.");
	prom_u(out, "fivefifty_map_write_errors_total", NULL, NULL,
	    fs->map_errors);
	prom_family(out, "fivefifty_state_errors_total", "counter",
	    "Writes of the state database that failed.");
	prom_u(out, "fivefifty_state_errors_total", NULL, NULL,
	    d->state_errors + h.failures);
	state_set(out, "fivefifty_firewall_state", "The kernel sets: ok, "
	    "failing (unavailable, being repaired) or off (firewall = off).",
	    fw, d->conf->fw.mode == FW_OFF ? "off" : fs->fw_ok ? "ok" :
	    "failing");
	ms = fw_map_status(d->fw, mt, sizeof(mt));
	state_set(out, "fivefifty_map_state", "The Postfix access map: ok, "
	    "failing (the previous map stays) or none (no access_map).", map,
	    strcmp(ms, "ok") == 0 || strcmp(ms, "none") == 0 ? ms :
	    "failing");
	state_set(out, "fivefifty_state_database_state", "The state "
	    "database: ok, or failing (changes kept in memory, retried).",
	    st, h.failing ? "failing" : "ok");
	state_set(out, "fivefifty_breaker_state", "The ban-rate circuit "
	    "breaker (ban_rate_limit): closed, or open (new bans held).", br,
	    bs.open ? "open" : "closed");
	prom_family(out, "fivefifty_breaker_held_decisions", "gauge",
	    "Ban decisions the open breaker holds.");
	prom_u(out, "fivefifty_breaker_held_decisions", NULL, NULL, bs.held);
	prom_family(out, "fivefifty_breaker_dropped_total", "counter",
	    "Ban decisions dropped: the breaker's hold was full.");
	prom_u(out, "fivefifty_breaker_dropped_total", NULL, NULL,
	    bs.dropped);
	if (fw_counters(d->fw, &pkts, &bytes) == 0) {
		prom_family(out, "fivefifty_dropped_packets_total", "counter",
		    "Packets the rules of fivefifty's table dropped.");
		prom_u(out, "fivefifty_dropped_packets_total", NULL, NULL,
		    (unsigned long long)pkts);
		prom_family(out, "fivefifty_dropped_bytes_total", "counter",
		    "Bytes of the packets the rules of fivefifty's table "
		    "dropped.");
		prom_u(out, "fivefifty_dropped_bytes_total", NULL, NULL,
		    (unsigned long long)bytes);
	}
}

/* metrics_print - every metric, in the text exposition format */
void
metrics_print(struct daemon *d, FILE *out)
{
	print_reading(d, out);
	print_bans(d, out);
	print_health(d, out);
	prom_family(out, "fivefifty_resident_memory_bytes", "gauge",
	    "Resident memory of the daemon.");
	prom_u(out, "fivefifty_resident_memory_bytes", NULL, NULL, rss());
	prom_family(out, "fivefifty_start_time_seconds", "gauge",
	    "When the daemon started, seconds since the epoch.");
	prom_u(out, "fivefifty_start_time_seconds", NULL, NULL,
	    (unsigned long long)d->started);
}

/* write_file - the metrics into path, atomically; 0, or -1 with why */
static int
write_file(struct daemon *d, const char *path, char *why, size_t len)
{
	char		 tmp[sizeof(d->m.path) + 8];
	FILE		*fp;
	int		 fd, e;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(why, len, "cannot create a file next to it: %s",
		    strerror(errno));
		return (-1);
	}
	if (fchmod(fd, 0644) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(why, len, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		return (-1);
	}
	metrics_print(d, fp);
	e = ferror(fp) ? EIO : 0;
	if (fclose(fp) == EOF && e == 0)
		e = errno;
	if (e == 0 && rename(tmp, path) == -1)
		e = errno;
	if (e != 0) {
		snprintf(why, len, "cannot write it: %s", strerror(e));
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
}

/* metrics_tick - metrics_file written when due (every metrics_interval);
 * a file metrics_file no longer names removed */
void
metrics_tick(struct daemon *d, long long ms)
{
	struct metrics	*m = &d->m;
	const char	*path = d->conf->metrics_file;
	struct passwd	*pw;
	char		 why[sizeof(m->error)];

	if (strcmp(m->path, path) != 0) {	/* a reload changed it */
		metrics_stop(d);
		snprintf(m->path, sizeof(m->path), "%s", path);
		m->next_ms = 0;
	}
	if (path[0] == '\0')
		return;
	if (m->interval != d->conf->metrics_interval) {
		m->interval = d->conf->metrics_interval;
		m->next_ms = 0;
	}
	if (ms < m->next_ms)
		return;
	m->next_ms = ms + (long long)(m->interval * 1000);
	if (write_file(d, path, why, sizeof(why)) == 0) {
		if (m->error[0] != '\0')
			log_info("metrics_file %s: written again", path);
		m->error[0] = '\0';
		return;
	}
	if (m->error[0] == '\0')	/* said once, while it fails */
		log_warnx("metrics_file %s: %s (its directory must exist and "
		    "be writable by the daemon's user, %s; or set "
		    "metrics_file = to stop writing it); retried every "
		    "metrics_interval", path, why, (pw = getpwuid(geteuid())) !=
		    NULL ? pw->pw_name : "?");
	snprintf(m->error, sizeof(m->error), "%s", why);
}

/* metrics_status - status's line about metrics_file */
void
metrics_status(struct daemon *d, FILE *out)
{
	if (d->conf->metrics_file[0] == '\0')
		return;
	if (d->m.error[0] != '\0')
		fprintf(out, "metrics_file failing: %s: %s\n",
		    d->conf->metrics_file, d->m.error);
	else
		fprintf(out, "metrics_file %s\n", d->conf->metrics_file);
}

/* metrics_stop - the file written so far removed (a clean stop, or
 * metrics_file changed) */
void
metrics_stop(struct daemon *d)
{
	if (d->m.path[0] != '\0' && unlink(d->m.path) == -1 &&
	    errno != ENOENT)
		log_warn("metrics_file %s: remove", d->m.path);
	d->m.path[0] = '\0';
}
