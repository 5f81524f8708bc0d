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
 *	Every span comes from the log line and goes through ob_json_str()
 *	(byte for byte what esc_json() writes) or esc_text(), capped at
 *	FIELD_CAP bytes (Postfix itself caps its texts at 510 bytes, so only
 *	hostile or broken lines are ever cut).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util/obuf.h"
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

/* put2 - n (0 to 99) as two digits at p */
static inline char *
put2(char *p, int n)
{
	p[0] = (char)('0' + n / 10);
	p[1] = (char)('0' + n % 10);
	return (p + 2);
}

/* time_json - time_iso() into the buffer, without printf */
static void
time_json(struct obuf *ob, const struct pf_time *t)
{
	char		 buf[96], *p;
	int		 digits, off, n;
	long		 frac;

	if (t->year >= 1000 && t->year <= 9999 && t->mon >= 0 &&
	    t->mon <= 99 && t->mday >= 0 && t->mday <= 99 && t->hour >= 0 &&
	    t->hour <= 99 && t->min >= 0 && t->min <= 99 && t->sec >= 0 &&
	    t->sec <= 99) {
		p = put2(buf, t->year / 100);
		p = put2(p, t->year % 100);
		*p++ = '-';
		p = put2(p, t->mon);
		*p++ = '-';
		p = put2(p, t->mday);
		*p++ = 'T';
		p = put2(p, t->hour);
		*p++ = ':';
		p = put2(p, t->min);
		*p++ = ':';
		p = put2(p, t->sec);
		ob_putn(ob, buf, (size_t)(p - buf));
	} else {
		/* Out of the fast path's range: printf's own padding. */
		n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d",
		    t->year, t->mon, t->mday, t->hour, t->min, t->sec);
		ob_putn(ob, buf, n > 0 ? (size_t)n : 0);
	}
	if (t->frac_digits > 0) {
		digits = t->frac_digits > 6 ? 6 : t->frac_digits;
		frac = t->usec;
		for (int i = digits; i < 6; i++)
			frac /= 10;
		if (frac >= 0 && frac < 1000000) {
			/* %0*ld: digits wide, zero-padded (frac < 10^digits) */
			buf[0] = '.';
			for (n = digits; n > 0; n--, frac /= 10)
				buf[n] = (char)('0' + frac % 10);
			ob_putn(ob, buf, (size_t)digits + 1);
		} else {
			n = snprintf(buf, sizeof(buf), ".%0*ld", digits, frac);
			ob_putn(ob, buf, n > 0 ? (size_t)n : 0);
		}
	}
	if (t->has_offset) {
		off = t->offset_min;
		if (off == 0)
			ob_putc(ob, 'Z');
		else if (off > -6000 && off < 6000) {
			buf[0] = off < 0 ? '-' : '+';
			p = put2(buf + 1, (off < 0 ? -off : off) / 60);
			*p++ = ':';
			p = put2(p, (off < 0 ? -off : off) % 60);
			ob_putn(ob, buf, (size_t)(p - buf));
		} else {
			n = snprintf(buf, sizeof(buf), "%c%02d:%02d",
			    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
			    (off < 0 ? -off : off) % 60);
			ob_putn(ob, buf, n > 0 ? (size_t)n : 0);
		}
	}
}

/* ob_str - a validated C string (a name of ours, an address) as is */
static void
ob_str(struct obuf *ob, const char *s)
{
	ob_putn(ob, s, strlen(s));
}

/*
 * jstr - `,"key":` then "escaped" or null (key: JKEY()). Inline, so that
 * each key's copy has a constant length; one check of room for the key
 * and what follows it up to the text.
 */
static inline void
jstr(struct obuf *ob, const char *key, size_t keylen, struct pf_span sp)
{
	if (sp.p != NULL) {
		ob_json_str(ob, key, keylen, sp.p, sp.len, FIELD_CAP);
		return;
	}
	if (ob->cap - ob->len < keylen + 4)
		ob_flush(ob);
	memcpy(ob->buf + ob->len, key, keylen);
	ob->len += keylen;
	memcpy(ob->buf + ob->len, "null", 4);
	ob->len += 4;
}

/* jopt - `,"key":"escaped"` only when present */
static inline void
jopt(struct obuf *ob, const char *key, size_t keylen, struct pf_span sp)
{
	if (sp.p != NULL)
		jstr(ob, key, keylen, sp);
}

/* jcstr - `,"key":"c-string"` or null when empty (validated text) */
static void
jcstr(struct obuf *ob, const char *key, size_t keylen, const char *s)
{
	ob_putn(ob, key, keylen);
	if (s[0] == '\0')
		OB_LIT(ob, "null");
	else {
		ob_putc(ob, '"');
		ob_str(ob, s);
		ob_putc(ob, '"');
	}
}

/* The `,"key":` of a key, and its length, as two arguments. */
#define JKEY(k)		",\"" k "\":", sizeof(",\"" k "\":") - 1

/* event_json - one event as one JSON object and a newline */
void
event_json(struct obuf *ob, const struct pf_event *ev)
{
	struct pf_span	 none = { NULL, 0 };
	int		 c, first;

	OB_LIT(ob, "{\"time\":\"");
	time_json(ob, &ev->time);
	ob_putc(ob, '"');
	jstr(ob, JKEY("host"), ev->host);
	jstr(ob, JKEY("program"), ev->program);
	jstr(ob, JKEY("tag"), ev->tag);
	OB_LIT(ob, ",\"pid\":");
	if (ev->pid >= 0)
		ob_long(ob, ev->pid);
	else
		OB_LIT(ob, "null");
	jstr(ob, JKEY("queue_id"), ev->queue_id);
	OB_LIT(ob, ",\"event\":\"");
	ob_str(ob, pf_kind_name(ev->kind));
	ob_putc(ob, '"');
	jstr(ob, JKEY("action"), ev->action);
	if (ev->kind == PF_EV_REJECT) {
		if (ev->enforced)
			OB_LIT(ob, ",\"enforced\":true");
		else
			OB_LIT(ob, ",\"enforced\":false");
	}
	jstr(ob, JKEY("stage"), ev->stage);
	jstr(ob, JKEY("client_name"), ev->client_name);
	jcstr(ob, JKEY("client_ip"), ev->client_ip);
	OB_LIT(ob, ",\"client_port\":");
	if (ev->client_port >= 0)
		ob_long(ob, ev->client_port);
	else
		OB_LIT(ob, "null");
	OB_LIT(ob, ",\"code\":");
	if (ev->code != 0)
		ob_long(ob, ev->code);
	else
		OB_LIT(ob, "null");
	jstr(ob, JKEY("dsn"), ev->dsn);
	if (ev->kind == PF_EV_REJECT) {
		OB_LIT(ob, ",\"class\":\"");
		ob_str(ob, pf_class_name(ev->class));
		ob_putc(ob, '"');
	} else
		jstr(ob, JKEY("class"), none);
	jstr(ob, JKEY("reason"), ev->reason);
	jstr(ob, JKEY("from"), ev->from);
	jstr(ob, JKEY("to"), ev->to);
	jstr(ob, JKEY("proto"), ev->proto);
	jstr(ob, JKEY("helo"), ev->helo);

	jopt(ob, JKEY("object"), ev->object);
	jopt(ob, JKEY("sasl_method"), ev->sasl_method);
	jopt(ob, JKEY("sasl_username"), ev->sasl_username);
	jopt(ob, JKEY("sasl_sender"), ev->sasl_sender);
	if (ev->kind == PF_EV_DISCONNECT) {
		OB_LIT(ob, ",\"counters\":{");
		for (c = 0, first = 1; c < PF_CMD_COUNT; c++) {
			if (!ev->counters[c].present)
				continue;
			if (!first)
				ob_putc(ob, ',');
			first = 0;
			ob_putc(ob, '"');
			ob_str(ob, pf_cmd_name(c));
			OB_LIT(ob, "\":{\"ok\":");
			ob_ulong(ob, ev->counters[c].ok);
			OB_LIT(ob, ",\"total\":");
			ob_ulong(ob, ev->counters[c].total);
			ob_putc(ob, '}');
		}
		ob_putc(ob, '}');
		jopt(ob, JKEY("notes"), ev->notes);
	}
	jopt(ob, JKEY("end"), ev->end);
	if (ev->bytes >= 0) {
		OB_LIT(ob, ",\"bytes\":");
		ob_long(ob, ev->bytes);
	}
	jopt(ob, JKEY("seconds"), ev->seconds);
	jopt(ob, JKEY("detail"), ev->detail);
	jopt(ob, JKEY("command"), ev->command);
	if (ev->count != LONG_MIN) {
		if (ev->kind == PF_EV_DNSBL_RANK)
			OB_LIT(ob, ",\"rank\":");
		else
			OB_LIT(ob, ",\"count\":");
		ob_long(ob, ev->count);
	}
	jopt(ob, JKEY("service"), ev->service);
	jopt(ob, JKEY("ptr_name"), ev->ptr_name);
	jopt(ob, JKEY("zone"), ev->zone);
	jopt(ob, JKEY("answer"), ev->answer);
	if (ev->server_ip[0] != '\0') {
		jcstr(ob, JKEY("server_ip"), ev->server_ip);
		OB_LIT(ob, ",\"server_port\":");
		ob_long(ob, ev->server_port);
	}
	jopt(ob, JKEY("orig_queue_id"), ev->orig_queue_id);
	jopt(ob, JKEY("orig_client_name"), ev->orig_client_name);
	if (ev->orig_client_ip[0] != '\0')
		jcstr(ob, JKEY("orig_client_ip"), ev->orig_client_ip);
	jopt(ob, JKEY("data"), ev->data);
	OB_LIT(ob, "}\n");
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
