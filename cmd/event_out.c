/*	$fivefifty: event_out.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	event_out 3 - print a parsed event as JSON or as a line of text
 * SYNOPSIS
 *	See cmd.h.
 * DESCRIPTION
 *	event_json() always writes the common keys (time, host, program, pid,
 *	queue_id, event, action, stage, client_name, client_ip, client_port,
 *	code, dsn, class, reason, from, to, proto, helo), null when the line
 *	had no such field, then the event's own keys. event_text() writes
 *	only the fields that are present.
 * SECURITY
 *	Every span comes from the log line and goes through esc_json() or
 *	esc_text(), capped at FIELD_CAP bytes (Postfix itself caps its texts
 *	at 510 bytes, so only hostile or broken lines are ever cut).
 */
#include <limits.h>
#include <stdio.h>

#include "cmd.h"
#include "util/util.h"

#define FIELD_CAP	4096

/* time_iso - YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM] */
void
time_iso(FILE *fp, const struct pf_time *t)
{
	int		 digits, off;
	long		 frac;

	fprintf(fp, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->mon,
	    t->mday, t->hour, t->min, t->sec);
	if (t->frac_digits > 0) {
		digits = t->frac_digits > 6 ? 6 : t->frac_digits;
		frac = t->usec;
		for (int i = digits; i < 6; i++)
			frac /= 10;
		fprintf(fp, ".%0*ld", digits, frac);
	}
	if (t->has_offset) {
		off = t->offset_min;
		if (off == 0)
			fputc('Z', fp);
		else
			fprintf(fp, "%c%02d:%02d", off < 0 ? '-' : '+',
			    (off < 0 ? -off : off) / 60,
			    (off < 0 ? -off : off) % 60);
	}
}

/* jstr - "key":"escaped" or "key":null */
static void
jstr(FILE *fp, const char *key, struct pf_span sp)
{
	fprintf(fp, ",\"%s\":", key);
	if (sp.p == NULL) {
		fputs("null", fp);
		return;
	}
	putc('"', fp);
	esc_json(fp, sp.p, sp.len, FIELD_CAP);
	putc('"', fp);
}

/* jopt - "key":"escaped" only when present */
static void
jopt(FILE *fp, const char *key, struct pf_span sp)
{
	if (sp.p != NULL)
		jstr(fp, key, sp);
}

/* jcstr - "key":"c-string" or null when empty */
static void
jcstr(FILE *fp, const char *key, const char *s)
{
	if (s[0] == '\0')
		fprintf(fp, ",\"%s\":null", key);
	else
		fprintf(fp, ",\"%s\":\"%s\"", key, s);	/* validated */
}

/* event_json - one event as one JSON object */
void
event_json(FILE *fp, const struct pf_event *ev)
{
	struct pf_span	 none = { NULL, 0 };
	const char	*sep;
	int		 c;

	fputs("{\"time\":\"", fp);
	time_iso(fp, &ev->time);
	putc('"', fp);
	jstr(fp, "host", ev->host);
	jstr(fp, "program", ev->program);
	jstr(fp, "tag", ev->tag);
	if (ev->pid >= 0)
		fprintf(fp, ",\"pid\":%ld", ev->pid);
	else
		fputs(",\"pid\":null", fp);
	jstr(fp, "queue_id", ev->queue_id);
	fprintf(fp, ",\"event\":\"%s\"", pf_kind_name(ev->kind));
	jstr(fp, "action", ev->action);
	if (ev->kind == PF_EV_REJECT)
		fprintf(fp, ",\"enforced\":%s", ev->enforced ? "true" : "false");
	jstr(fp, "stage", ev->stage);
	jstr(fp, "client_name", ev->client_name);
	jcstr(fp, "client_ip", ev->client_ip);
	if (ev->client_port >= 0)
		fprintf(fp, ",\"client_port\":%d", ev->client_port);
	else
		fputs(",\"client_port\":null", fp);
	if (ev->code != 0)
		fprintf(fp, ",\"code\":%d", ev->code);
	else
		fputs(",\"code\":null", fp);
	jstr(fp, "dsn", ev->dsn);
	if (ev->kind == PF_EV_REJECT)
		fprintf(fp, ",\"class\":\"%s\"", pf_class_name(ev->class));
	else
		jstr(fp, "class", none);
	jstr(fp, "reason", ev->reason);
	jstr(fp, "from", ev->from);
	jstr(fp, "to", ev->to);
	jstr(fp, "proto", ev->proto);
	jstr(fp, "helo", ev->helo);

	jopt(fp, "object", ev->object);
	jopt(fp, "sasl_method", ev->sasl_method);
	jopt(fp, "sasl_username", ev->sasl_username);
	jopt(fp, "sasl_sender", ev->sasl_sender);
	if (ev->kind == PF_EV_DISCONNECT) {
		fputs(",\"counters\":{", fp);
		for (c = 0, sep = ""; c < PF_CMD_COUNT; c++) {
			if (!ev->counters[c].present)
				continue;
			fprintf(fp, "%s\"%s\":{\"ok\":%lu,\"total\":%lu}", sep,
			    pf_cmd_name(c), ev->counters[c].ok,
			    ev->counters[c].total);
			sep = ",";
		}
		putc('}', fp);
		jopt(fp, "notes", ev->notes);
	}
	jopt(fp, "end", ev->end);
	if (ev->bytes >= 0)
		fprintf(fp, ",\"bytes\":%ld", ev->bytes);
	jopt(fp, "seconds", ev->seconds);
	jopt(fp, "detail", ev->detail);
	jopt(fp, "command", ev->command);
	if (ev->count != LONG_MIN)
		fprintf(fp, ",\"%s\":%ld", ev->kind == PF_EV_DNSBL_RANK ?
		    "rank" : "count", ev->count);
	jopt(fp, "service", ev->service);
	jopt(fp, "ptr_name", ev->ptr_name);
	jopt(fp, "zone", ev->zone);
	jopt(fp, "answer", ev->answer);
	if (ev->server_ip[0] != '\0') {
		jcstr(fp, "server_ip", ev->server_ip);
		fprintf(fp, ",\"server_port\":%d", ev->server_port);
	}
	jopt(fp, "orig_queue_id", ev->orig_queue_id);
	jopt(fp, "orig_client_name", ev->orig_client_name);
	if (ev->orig_client_ip[0] != '\0')
		jcstr(fp, "orig_client_ip", ev->orig_client_ip);
	jopt(fp, "data", ev->data);
	fputs("}\n", fp);
}

/* tword - " key=value" when present, value escaped */
static void
tword(FILE *fp, const char *key, struct pf_span sp, int brackets)
{
	if (sp.p == NULL)
		return;
	fprintf(fp, " %s=%s", key, brackets ? "<" : "");
	esc_text(fp, sp.p, sp.len, FIELD_CAP);
	if (brackets)
		putc('>', fp);
}

/* event_text - one event as one line of text */
void
event_text(FILE *fp, const struct pf_event *ev)
{
	int		c;

	time_iso(fp, &ev->time);
	putc(' ', fp);
	esc_text(fp, ev->host.p, ev->host.len, FIELD_CAP);
	putc(' ', fp);
	esc_text(fp, ev->tag.p, ev->tag.len, FIELD_CAP);
	if (ev->pid >= 0)
		fprintf(fp, "[%ld]", ev->pid);
	fprintf(fp, " %s", pf_kind_name(ev->kind));
	tword(fp, "queue_id", ev->queue_id, 0);
	tword(fp, "action", ev->action, 0);
	tword(fp, "stage", ev->stage, 0);
	if (ev->client_name.p != NULL || ev->client_ip[0] != '\0') {
		fputs(" client=", fp);
		if (ev->client_name.p != NULL)
			esc_text(fp, ev->client_name.p, ev->client_name.len,
			    FIELD_CAP);
		fprintf(fp, "[%s]", ev->client_ip[0] ? ev->client_ip :
		    "unknown");
		if (ev->client_port >= 0)
			fprintf(fp, ":%d", ev->client_port);
	}
	if (ev->code != 0)
		fprintf(fp, " code=%d", ev->code);
	tword(fp, "dsn", ev->dsn, 0);
	if (ev->kind == PF_EV_REJECT)
		fprintf(fp, " class=%s", pf_class_name(ev->class));
	tword(fp, "from", ev->from, 1);
	tword(fp, "to", ev->to, 1);
	tword(fp, "helo", ev->helo, 1);
	tword(fp, "sasl_method", ev->sasl_method, 0);
	tword(fp, "sasl_username", ev->sasl_username, 0);
	if (ev->kind == PF_EV_DISCONNECT)
		for (c = 0; c < PF_CMD_COUNT; c++)
			if (ev->counters[c].present)
				fprintf(fp, " %s=%lu/%lu", pf_cmd_name(c),
				    ev->counters[c].ok, ev->counters[c].total);
	tword(fp, "end", ev->end, 0);
	if (ev->bytes >= 0)
		fprintf(fp, " bytes=%ld", ev->bytes);
	tword(fp, "seconds", ev->seconds, 0);
	tword(fp, "detail", ev->detail, 0);
	tword(fp, "command", ev->command, 0);
	if (ev->count != LONG_MIN)
		fprintf(fp, " %s=%ld", ev->kind == PF_EV_DNSBL_RANK ?
		    "rank" : "count", ev->count);
	tword(fp, "service", ev->service, 0);
	tword(fp, "ptr_name", ev->ptr_name, 0);
	tword(fp, "zone", ev->zone, 0);
	tword(fp, "answer", ev->answer, 0);
	if (ev->server_ip[0] != '\0')
		fprintf(fp, " server=[%s]:%d", ev->server_ip, ev->server_port);
	if (ev->orig_client_ip[0] != '\0')
		fprintf(fp, " orig_client=[%s]", ev->orig_client_ip);
	tword(fp, "reason", ev->reason, 0);
	tword(fp, "data", ev->data, 0);
	putc('\n', fp);
}
