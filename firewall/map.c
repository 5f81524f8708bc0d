/*	$fivefifty: map.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	map 3 - the Postfix check_client_access map of the bans in force
 * SYNOPSIS
 *	#include "firewall/fw_int.h"
 *
 *	struct fw_map *map_open(const char *spec, const char *text,
 *		    const char *postmap, char *err, size_t errlen);
 *	int	map_config_dir(struct fw_map *m, const char *dir);
 *	int	map_write(struct fw_map *m, const struct fw_ban *bans,
 *		    size_t n, long long now, char *err, size_t errlen);
 *	size_t	map_keys(const struct net_prefix *n, int cidr,
 *		    char (*keys)[MAP_KEY_MAX], size_t max);
 *	int	map_ready(const struct fw_map *m, char *err, size_t errlen);
 *	int	map_present(const struct fw_map *m);
 *	int	map_indexed(const struct fw_map *m);
 *	const char *map_file(const struct fw_map *m);
 *	void	map_free(struct fw_map *m);
 * DESCRIPTION
 *	map_open() checks a map specification as main.cf spells it,
 *	"TYPE:PATH": TYPE is hash, lmdb, cdb or btree (indexed: the source
 *	file PATH is built into PATH.db, PATH.lmdb or PATH.cdb with postmap)
 *	or texthash or cidr (Postfix reads PATH itself). PATH must be
 *	absolute, and for an indexed type it names the source file, not the
 *	database ("hash:/etc/postfix/x.db" is refused). text is the reply
 *	text after "554 5.7.1 ": printable ASCII, at most MAP_TEXT_MAX
 *	bytes, with $address (the banned address, or network as addr/len),
 *	$reason (the ban's class) and $until (its end, ISO 8601 UTC such as
 *	2026-11-21T12:00:00Z) replaced; ${name} is the same as $name and $$
 *	is a dollar sign. An empty text is MAP_DEFAULT_TEXT. postmap is the
 *	program's absolute path (NULL or empty: /usr/sbin/postmap).
 *	map_open() returns NULL with the reason in err ("access_map: ...").
 *
 *	map_config_dir() gives postmap "-c dir": the directory of the
 *	main.cf it reads (and nothing else: no file there is changed). NULL
 *	or empty: none, and postmap reads /etc/postfix/main.cf; postmap
 *	refuses to run when that file is missing ("postmap: fatal: open
 *	/etc/postfix/main.cf: ..."), which map_ready() says first, plainly.
 *	It returns -1 for a directory that is not an absolute path.
 *
 *	map_ready() checks, in this order, what the map needs and says
 *	plainly what is missing and what to do (each message ends with
 *	"or turn the map off with access_map = (empty)"): postmap (for an
 *	indexed type; for texthash and cidr only when the map's directory
 *	is missing too): "Postfix is not installed here"; main.cf in the
 *	config directory (indexed types): "Postfix is installed but has no
 *	main.cf"; the map's directory. map_write() calls it first.
 *	map_present() says whether a map is in place (PATH's database for
 *	an indexed type, else PATH): whether a failed rewrite leaves an
 *	older map for Postfix to read.
 *
 *	map_write() rewrites the whole map from the bans with until > now
 *	(the others are dropped): a new file PATH.fivefifty-tmp.PID in the
 *	map's directory, written and fsync'd; for an indexed type postmap
 *	builds TYPE:that file, and the database it made is fsync'd and
 *	renamed over PATH's; then the source file is renamed over PATH (so
 *	the administrator can read what the database holds), and the
 *	directory is fsync'd. The database is renamed first, so it is never
 *	older than its source. On any failure the map in place is not
 *	touched (unless the last rename itself fails, after the database
 *	was replaced), the temporary files are removed, and map_write()
 *	returns -1 with what failed in err; else 0. A failed fsync of the
 *	directory, after the renames, is reported the same way. The map's
 *	files get the mode of the old PATH, or 0644.
 *
 *	The map starts with a comment line; then one line per key, "KEY 554
 *	5.7.1 TEXT", every byte printable ASCII. When several bans give the
 *	same key, the one that ends last is kept. Lines are sorted: by key
 *	text for the indexed types and texthash; for cidr, which Postfix
 *	searches in order (first match wins), by family, then longest prefix
 *	first, then address, so an address banned inside a banned network
 *	answers with its own ban, as it does in an indexed map, where
 *	Postfix looks up the whole address first. The reason is reduced to
 *	[A-Za-z0-9 ._-] by reason_clean(REASON_WORDS) (each run of other
 *	bytes becomes one '_'; nothing left: "unspecified"), so a hostile
 *	reason can neither break a line nor put markup or variables into
 *	the reply.
 *
 *	map_keys() writes the lookup keys of network n into keys, at most
 *	max of them, and returns how many there are (which may be more than
 *	max: call it with max 0 to size the array). For a cidr map (cidr
 *	non-zero) there is one: the bare address for a single address
 *	(/32, /128), else "network/len". For the other types, the keys are
 *	those check_client_access looks up, as access(5) describes: it tries
 *	the address as Postfix prints it (IPv4 dotted quad; IPv6 compressed
 *	lowercase, as inet_ntop() writes it), then cuts the last ".octet"
 *	(IPv4) or ":group" (IPv6) off again and again. So a single address
 *	is its text; an IPv4 /8, /16 or /24 is one partial address ("1",
 *	"1.2", "1.2.3"); any other IPv4 prefix is expanded to the next
 *	multiple of 8 (a /20 is the 16 keys "1.2.0" to "1.2.15", a /26 the
 *	64 addresses it holds, a /0 the 256 keys "0" to "255"; never more
 *	than 256). An IPv6 prefix of a multiple of 16 bits is its groups in
 *	hex without leading zeros ("2001:db8:1:2" for 2001:db8:1:2::/64),
 *	any other is expanded to the next multiple of 16 (a /60 is 16 /64
 *	keys; at most 65536, for a /0).
 * BUGS
 *	An indexed map matches an IPv6 network only for addresses whose
 *	printed form does not compress zero groups inside the network part:
 *	2001:db8::/64 is the key "2001:db8:0:0", which Postfix never looks
 *	up for 2001:db8::1 (printed "2001:db8::1", cut to "2001:db8:",
 *	"2001:db8", "2001"). Use a cidr map when IPv6 networks are banned.
 *	texthash and cidr maps are read when a Postfix process starts: they
 *	reach smtpd as its processes are recycled or on "postfix reload",
 *	whereas Postfix notices a changed indexed map by itself.
 *	A crash in map_write() can leave PATH.fivefifty-tmp.PID (and its
 *	database) behind; they are not part of the map. The next
 *	map_write() removes those whose PID no longer runs.
 * SECURITY
 *	Only addresses, prefix lengths, end times and the reduced reason go
 *	into the map. postmap is run by spawn_run() (util/spawn.h): a fixed
 *	argv, an empty environment, stdin and stdout on /dev/null, no
 *	descriptor but 0, 1 and 2 (glibc 2.34 and later), and default
 *	signal handling; its first line of stderr is kept for err, reduced
 *	to printable ASCII. postmap is killed after MAP_POSTMAP_TIMEOUT
 *	seconds. When run as
 *	root, postmap works as the owner of the source file, that is as the
 *	user fivefifty runs as. The caller must not ignore SIGCHLD: the
 *	exit status is collected with waitpid().
 * DIAGNOSTICS
 *	Nothing is logged here: every failure is a message in err.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fw_int.h"
#include "util/spawn.h"
#include "util/util.h"

#define MAP_TEXT_MAX		200	/* the template, bytes */
#define MAP_REPLY_MAX		400	/* that, with the longest values */
#define MAP_POSTMAP_TIMEOUT	60	/* seconds */
#define MAP_POSTMAP		"/usr/sbin/postmap"
#define MAP_CONFDIR		"/etc/postfix"	/* postmap's without -c */
#define MAP_DEFAULT_TEXT	"Service unavailable; client [$address] " \
				"blocked by fivefifty ($reason) until $until"
#define MAP_HEADER		"# fivefifty: the bans in force; this file " \
				"is rewritten on every change, edits are lost\n"
#define MAP_TMP			".fivefifty-tmp."
#define ADDR_TEXT_MAX		(INET6_ADDRSTRLEN + 4)	/* "addr/len" */
#define UNTIL_TEXT_MAX		32
#define MAP_TMP_LEN		(PATH_MAX + 32)	/* PATH.fivefifty-tmp.PID */
#define MAP_TMP_MORE		(MAP_TMP_LEN + 16)	/* with a suffix */

static const struct map_type {
	const char	*name;
	const char	*suffix;	/* the database postmap makes; NULL:
					 * Postfix reads the source */
} map_types[] = {
	{ "hash", ".db" },
	{ "lmdb", ".lmdb" },
	{ "cdb", ".cdb" },
	{ "btree", ".db" },
	{ "texthash", NULL },
	{ "cidr", NULL },
};
#define MAP_CIDR	5

struct fw_map {
	int		 type;			/* index into map_types */
	char		 path[PATH_MAX];	/* the source file */
	char		 dir[PATH_MAX];		/* where it lives */
	char		 text[MAP_TEXT_MAX + 1];
	char		 postmap[PATH_MAX];
	char		 confdir[PATH_MAX];	/* postmap -c; "": none */
};

struct map_ent {
	struct net_prefix key;		/* the network of the key */
	char		 text[MAP_KEY_MAX];
	const struct fw_ban *ban;
};

struct map_vals {
	const char	*address, *reason, *until;
};

static int	tmpl_expand(const char *, const struct map_vals *, char *,
		    size_t, char *, size_t);
static int	spec_check(const char *, const char **, char *, size_t);
static int	text_check(const char *, char *, size_t);
static int	path_ok(const char *);
static int	key_len(const struct net_prefix *, int);
static size_t	key_count(const struct net_prefix *, int);
static void	key_net(const struct net_prefix *, int, size_t,
		    struct net_prefix *);
static void	key_text(const struct net_prefix *, int, char *, size_t);
static int	net_valid(const struct net_prefix *, struct net_prefix *);
static void	until_text(long long, char *, size_t);
static int	ent_cmp_key(const void *, const void *);
static int	ent_cmp_net(const void *, const void *);
static int	ent_cmp_ban(const struct map_ent *, const struct map_ent *);
static int	ents_build(const struct fw_map *, const struct fw_ban *,
		    size_t, long long, struct map_ent **, size_t *);
static int	source_write(const struct fw_map *, const char *, mode_t,
		    const struct map_ent *, size_t, char *, size_t);
static int	postmap_run(const struct fw_map *, const char *, char *,
		    size_t);
static void	tmp_remove(const struct fw_map *, const char *);
static void	stale_remove(const struct fw_map *);
static int	file_sync(const char *, mode_t, char *, size_t);
static int	dir_sync(const char *, char *, size_t);

/* spec_check - "TYPE:PATH" as main.cf spells it; the type's index and
 * the path, or -1 with why in err */
static int
spec_check(const char *spec, const char **pathp, char *err, size_t errlen)
{
	const char	*colon, *path, *suffix;
	size_t		 i, plen;
	int		 type = -1;

	if (spec == NULL || (colon = strchr(spec, ':')) == NULL ||
	    colon == spec) {
		snprintf(err, errlen, "access_map: \"%.100s\" is not TYPE:PATH "
		    "(such as hash:/etc/postfix/fivefifty/access)",
		    spec != NULL ? spec : "");
		return (-1);
	}
	for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (strlen(map_types[i].name) == (size_t)(colon - spec) &&
		    strncmp(spec, map_types[i].name, (size_t)(colon - spec)) ==
		    0)
			type = (int)i;
	if (type == -1) {
		snprintf(err, errlen, "access_map: unknown type \"%.*s\" "
		    "(expected hash, lmdb, cdb, btree, texthash or cidr)",
		    (int)((colon - spec) > 32 ? 32 : (colon - spec)), spec);
		return (-1);
	}
	path = colon + 1;
	if (path[0] != '/') {
		snprintf(err, errlen, "access_map: \"%.100s\": the path must "
		    "be absolute", spec);
		return (-1);
	}
	plen = strlen(path);
	if (!path_ok(path) || path[plen - 1] == '/') {
		snprintf(err, errlen, "access_map: \"%.100s\": the path must "
		    "name a file, without spaces, commas or control "
		    "characters", spec);
		return (-1);
	}
	if (plen + sizeof(MAP_TMP) + 32 >= PATH_MAX) {
		snprintf(err, errlen, "access_map: the path is too long (%zu "
		    "bytes)", plen);
		return (-1);
	}
	suffix = map_types[type].suffix;
	if (suffix != NULL && plen > strlen(suffix) &&
	    strcmp(path + plen - strlen(suffix), suffix) == 0) {
		snprintf(err, errlen, "access_map: \"%.100s\": name the source "
		    "file, without \"%s\" (postmap makes PATH%s)", spec, suffix,
		    suffix);
		return (-1);
	}
	*pathp = path;
	return (type);
}

/* text_check - the reply template: printable ASCII, known variables,
 * short enough with the longest values; 0, or -1 with why in err */
static int
text_check(const char *text, char *err, size_t errlen)
{
	static const struct map_vals longest = {
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"1234567890123456789012345678901234567890"
		    "12345678901234567890123",
		"2026-11-21T12:00:00Z",
	};
	char		 out[MAP_REPLY_MAX + 1], bad[32];
	size_t		 tlen, i;
	int		 r;

	if ((tlen = strlen(text)) > MAP_TEXT_MAX) {
		snprintf(err, errlen, "access_map_text: too long (%zu bytes, "
		    "at most %d)", tlen, MAP_TEXT_MAX);
		return (-1);
	}
	for (i = 0; i < tlen; i++)
		if ((unsigned char)text[i] < 0x20 ||
		    (unsigned char)text[i] > 0x7e) {
			snprintf(err, errlen, "access_map_text: %s character "
			    "0x%02x at byte %zu (printable ASCII only)",
			    (unsigned char)text[i] > 0x7e ? "non-ASCII" :
			    "control", (unsigned char)text[i], i + 1);
			return (-1);
		}
	r = tmpl_expand(text, &longest, out, sizeof(out), bad, sizeof(bad));
	if (r == -1) {
		snprintf(err, errlen, "access_map_text: unknown variable "
		    "\"%s\" (expected $address, $reason, $until or $$)", bad);
		return (-1);
	}
	if (r == -2) {
		snprintf(err, errlen, "access_map_text: the reply can grow "
		    "past %d bytes with its variables replaced", MAP_REPLY_MAX);
		return (-1);
	}
	return (0);
}

/* map_open - check "TYPE:PATH", the reply text and the postmap path */
struct fw_map *
map_open(const char *spec, const char *text, const char *postmap, char *err,
    size_t errlen)
{
	struct fw_map	*m;
	const char	*path;
	int		 type;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((type = spec_check(spec, &path, err, errlen)) == -1)
		return (NULL);
	if (text == NULL || text[0] == '\0')
		text = MAP_DEFAULT_TEXT;
	if (text_check(text, err, errlen) == -1)
		return (NULL);
	if (postmap == NULL || postmap[0] == '\0')
		postmap = MAP_POSTMAP;
	if (postmap[0] != '/' || !path_ok(postmap) ||
	    strlen(postmap) >= PATH_MAX) {
		snprintf(err, errlen, "postmap_command: \"%.100s\" is not an "
		    "absolute path", postmap);
		return (NULL);
	}

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "access_map: out of memory");
		return (NULL);
	}
	m->type = type;
	snprintf(m->path, sizeof(m->path), "%s", path);
	snprintf(m->dir, sizeof(m->dir), "%s", path);
	*strrchr(m->dir, '/') = '\0';
	if (m->dir[0] == '\0')
		snprintf(m->dir, sizeof(m->dir), "/");
	snprintf(m->text, sizeof(m->text), "%s", text);
	snprintf(m->postmap, sizeof(m->postmap), "%s", postmap);
	return (m);
}

/* map_config_dir - the directory postmap takes its main.cf from (-c) */
int
map_config_dir(struct fw_map *m, const char *dir)
{
	if (dir == NULL || dir[0] == '\0') {
		m->confdir[0] = '\0';
		return (0);
	}
	if (dir[0] != '/' || !path_ok(dir) || strlen(dir) >= PATH_MAX)
		return (-1);
	snprintf(m->confdir, sizeof(m->confdir), "%s", dir);
	return (0);
}

/* map_indexed - is the map built with postmap */
int
map_indexed(const struct fw_map *m)
{
	return (map_types[m->type].suffix != NULL);
}

/* map_file - the map's source file, PATH of "TYPE:PATH" */
const char *
map_file(const struct fw_map *m)
{
	return (m->path);
}

/* map_free - forget a map (its files stay) */
void
map_free(struct fw_map *m)
{
	free(m);
}

/* path_ok - no control characters, spaces or commas in a path */
static int
path_ok(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',')
			return (0);
	return (1);
}

/* tmpl_expand - the template with its variables replaced, or -1
 * (unknown variable, named in bad) or -2 (does not fit out) */
static int
tmpl_expand(const char *t, const struct map_vals *v, char *out, size_t len,
    char *bad, size_t badlen)
{
	const char	*val, *name;
	size_t		 o = 0, nlen, vlen;
	int		 brace;

	while (*t != '\0') {
		if (*t != '$' || t[1] == '$') {
			if (o + 1 >= len)
				return (-2);
			out[o++] = *t;
			t += *t == '$' ? 2 : 1;
			continue;
		}
		brace = t[1] == '{';
		name = t + 1 + brace;
		for (nlen = 0; (name[nlen] >= 'a' && name[nlen] <= 'z') ||
		    (name[nlen] >= 'A' && name[nlen] <= 'Z') ||
		    (name[nlen] >= '0' && name[nlen] <= '9') ||
		    name[nlen] == '_'; nlen++)
			continue;
		val = NULL;
		if (!brace || name[nlen] == '}') {
			if (nlen == 7 && strncmp(name, "address", 7) == 0)
				val = v->address;
			else if (nlen == 6 && strncmp(name, "reason", 6) == 0)
				val = v->reason;
			else if (nlen == 5 && strncmp(name, "until", 5) == 0)
				val = v->until;
		}
		if (val == NULL) {
			snprintf(bad, badlen, "%.*s", (int)(nlen + 1 + brace +
			    (brace && name[nlen] == '}')), t);
			return (-1);
		}
		vlen = strlen(val);
		if (o + vlen >= len)
			return (-2);
		memcpy(out + o, val, vlen);
		o += vlen;
		t = name + nlen + brace;
	}
	out[o] = '\0';
	return ((int)o);
}

/* key_len - the prefix length of the keys of n (see map_keys) */
static int
key_len(const struct net_prefix *n, int cidr)
{
	int	step = n->family == 4 ? 8 : 16, len;

	if (cidr)
		return (n->len);
	len = (n->len + step - 1) / step * step;
	return (len == 0 ? step : len);
}

/* key_count - how many keys n has */
static size_t
key_count(const struct net_prefix *n, int cidr)
{
	return ((size_t)1 << (key_len(n, cidr) - n->len));
}

/* key_net - the network of key i of n: n with its next bits set to i */
static void
key_net(const struct net_prefix *n, int cidr, size_t i, struct net_prefix *k)
{
	int	kl = key_len(n, cidr), b, p;

	*k = *n;
	k->len = kl;
	for (b = 0; b < kl - n->len; b++) {
		p = kl - 1 - b;
		if ((i >> b) & 1)
			k->addr[p / 8] |= (unsigned char)(0x80 >> (p % 8));
	}
}

/* key_text - the text of a key network: partial address, address,
 * or net/len for cidr */
static void
key_text(const struct net_prefix *k, int cidr, char *out, size_t len)
{
	size_t	o = 0;
	int	i;

	if (cidr || k->len == net_full_len(k->family)) {
		net_addr_text(k, out, len);
		return;
	}
	out[0] = '\0';
	if (k->family == 4) {
		for (i = 0; i < k->len / 8; i++)
			o += (size_t)snprintf(out + o, len - o, "%s%u",
			    i ? "." : "", (unsigned)k->addr[i]);
	} else {
		for (i = 0; i < k->len / 16; i++)
			o += (size_t)snprintf(out + o, len - o, "%s%x",
			    i ? ":" : "", (unsigned)(k->addr[2 * i] << 8 |
			    k->addr[2 * i + 1]));
	}
}

/* map_keys - the lookup keys of a network, at most max; how many */
size_t
map_keys(const struct net_prefix *n, int cidr, char (*keys)[MAP_KEY_MAX],
    size_t max)
{
	struct net_prefix net, k;
	size_t		 count, i;

	if (!net_valid(n, &net))
		return (0);
	count = key_count(&net, cidr);
	for (i = 0; i < count && i < max; i++) {
		key_net(&net, cidr, i, &k);
		key_text(&k, cidr, keys[i], MAP_KEY_MAX);
	}
	return (count);
}

/* net_valid - a known family and length; out: n with its host bits
 * cleared */
static int
net_valid(const struct net_prefix *n, struct net_prefix *out)
{
	int	i, bytes;

	if ((n->family != 4 && n->family != 6) || n->len < 0 ||
	    n->len > net_full_len(n->family))
		return (0);
	*out = *n;
	bytes = n->family == 4 ? 4 : 16;
	for (i = 0; i < 16; i++) {
		if (i >= bytes || n->len <= i * 8)
			out->addr[i] = 0;
		else if (n->len < (i + 1) * 8)
			out->addr[i] &= (unsigned char)(0xff <<
			    (8 - (n->len - i * 8)));
	}
	return (1);
}

/* until_text - epoch seconds as 2026-11-21T12:00:00Z */
static void
until_text(long long until, char *out, size_t len)
{
	if (until > 253402300799LL)		/* 9999-12-31T23:59:59Z */
		until = 253402300799LL;
	if (until < 0)
		until = 0;
	if (utc_format(until, out, len) == -1)
		snprintf(out, len, "9999-12-31T23:59:59Z");
}

/* ent_cmp_ban - the ban to keep first: later end, then fixed order */
static int
ent_cmp_ban(const struct map_ent *a, const struct map_ent *b)
{
	const struct fw_ban *x = a->ban, *y = b->ban;
	int	c;

	if (x->until != y->until)
		return (x->until > y->until ? -1 : 1);
	if (x->net.family != y->net.family)
		return (x->net.family < y->net.family ? -1 : 1);
	if (x->net.len != y->net.len)
		return (x->net.len > y->net.len ? -1 : 1);
	if ((c = memcmp(x->net.addr, y->net.addr, 16)) != 0)
		return (c);
	return (strncmp(x->reason, y->reason, sizeof(x->reason)));
}

/* ent_cmp_key - qsort: by key text, the ban to keep first */
static int
ent_cmp_key(const void *pa, const void *pb)
{
	const struct map_ent *a = pa, *b = pb;
	int	c;

	if ((c = strcmp(a->text, b->text)) != 0)
		return (c);
	return (ent_cmp_ban(a, b));
}

/* ent_cmp_net - qsort for cidr: family, longest prefix, address */
static int
ent_cmp_net(const void *pa, const void *pb)
{
	const struct map_ent *a = pa, *b = pb;
	int	c;

	if (a->key.family != b->key.family)
		return (a->key.family < b->key.family ? -1 : 1);
	if (a->key.len != b->key.len)
		return (a->key.len > b->key.len ? -1 : 1);
	if ((c = memcmp(a->key.addr, b->key.addr, 16)) != 0)
		return (c);
	return (ent_cmp_ban(a, b));
}

/* ents_build - the sorted keys of the bans in force, one per key text */
static int
ents_build(const struct fw_map *m, const struct fw_ban *bans, size_t n,
    long long now, struct map_ent **out, size_t *nout)
{
	struct map_ent	*e = NULL, *ne;
	struct net_prefix net;
	size_t		 ecount = 0, cap = 0, i, j, k, count;
	int		 cidr = m->type == MAP_CIDR;

	for (i = 0; i < n; i++) {
		if (bans[i].until <= now || !net_valid(&bans[i].net, &net))
			continue;
		count = key_count(&net, cidr);
		if (count > cap - ecount) {
			cap = (cap + count) * 2;
			if ((ne = reallocarray(e, cap, sizeof(*e))) == NULL) {
				free(e);
				return (-1);
			}
			e = ne;
		}
		for (j = 0; j < count; j++, ecount++) {
			key_net(&net, cidr, j, &e[ecount].key);
			key_text(&e[ecount].key, cidr, e[ecount].text,
			    sizeof(e[ecount].text));
			e[ecount].ban = &bans[i];
		}
	}
	if (ecount > 0)
		qsort(e, ecount, sizeof(*e), cidr ? ent_cmp_net : ent_cmp_key);
	/* The first of equal keys is the one to keep; equal texts are
	 * adjacent in both orders (in cidr's, equal text is equal net). */
	for (i = 0, k = 0; i < ecount; i++)
		if (k == 0 || strcmp(e[k - 1].text, e[i].text) != 0)
			e[k++] = e[i];
	*out = e;
	*nout = k;
	return (0);
}

/* source_write - the map's text into path: header, a line per key,
 * fsync'd */
static int
source_write(const struct fw_map *m, const char *path, mode_t mode,
    const struct map_ent *e, size_t n, char *err, size_t errlen)
{
	struct map_vals	 v;
	char		 address[ADDR_TEXT_MAX], until[UNTIL_TEXT_MAX];
	char		 reason[sizeof(e->ban->reason)];
	char		 reply[MAP_REPLY_MAX + 1];
	char		 bad[32];
	FILE		*fp;
	size_t		 i;
	int		 fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "create %s: %s", path, strerror(errno));
		return (-1);
	}
	if (fchmod(fd, mode) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "create %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	fputs(MAP_HEADER, fp);
	for (i = 0; i < n; i++) {
		net_addr_text(&e[i].ban->net, address, sizeof(address));
		until_text(e[i].ban->until, until, sizeof(until));
		reason_clean(reason, sizeof(reason), e[i].ban->reason,
		    sizeof(e[i].ban->reason), REASON_WORDS);
		v.address = address;
		v.reason = reason;
		v.until = until;
		if (tmpl_expand(m->text, &v, reply, sizeof(reply), bad,
		    sizeof(bad)) < 0)
			panic("map: template \"%s\" passed map_open but fails",
			    m->text);
		fprintf(fp, "%s 554 5.7.1 %s\n", e[i].text, reply);
	}
	if (fflush(fp) == EOF || ferror(fp) || fsync(fd) == -1) {
		saved = errno;
		fclose(fp);
		snprintf(err, errlen, "write %s: %s", path, strerror(saved));
		return (-1);
	}
	if (fclose(fp) == EOF) {
		snprintf(err, errlen, "write %s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* postmap_run - postmap TYPE:src; its exit status checked */
static int
postmap_run(const struct fw_map *m, const char *src, char *err,
    size_t errlen)
{
	struct spawn	 sp;
	char		 spec[MAP_TMP_MORE], name[MAP_TMP_MORE + 16];
	char		*argv[5];
	int		 k = 0;

	snprintf(spec, sizeof(spec), "%s:%s", map_types[m->type].name, src);
	snprintf(name, sizeof(name), "postmap %s", spec);
	argv[k++] = (char *)m->postmap;
	if (m->confdir[0] != '\0') {
		argv[k++] = "-c";
		argv[k++] = (char *)m->confdir;
	}
	argv[k++] = spec;
	argv[k] = NULL;
	memset(&sp, 0, sizeof(sp));
	sp.path = m->postmap;
	sp.argv = argv;
	sp.name = name;
	sp.flags = SPAWN_STDOUT_NULL | SPAWN_STDERR_KEEP;
	sp.timeout = MAP_POSTMAP_TIMEOUT;
	return (spawn_run(&sp, err, errlen));
}

/* tmp_remove - the temporary source and whatever postmap made of it
 * (postmap 3.7 makes TMP.db, TMP.lmdb, or TMP.cdb by way of TMP.cdb.tmp;
 * no lock file) */
static void
tmp_remove(const struct fw_map *m, const char *tmp)
{
	const char	*suffix = map_types[m->type].suffix;
	char		 p[MAP_TMP_MORE];

	unlink(tmp);
	if (suffix == NULL)
		return;
	snprintf(p, sizeof(p), "%s%s", tmp, suffix);
	unlink(p);
	snprintf(p, sizeof(p), "%s%s.tmp", tmp, suffix);	/* cdb's own */
	unlink(p);
}

/* stale_remove - temporaries of processes that died mid-rewrite (kill
 * -9, a crash): PATH.fivefifty-tmp.PID* whose PID no longer runs */
static void
stale_remove(const struct fw_map *m)
{
	const char	*base = strrchr(m->path, '/') + 1;
	char		 prefix[NAME_MAX + 32], p[PATH_MAX + NAME_MAX + 2], *end;
	struct dirent	*d;
	size_t		 plen;
	long		 pid;
	DIR		*dp;

	snprintf(prefix, sizeof(prefix), "%s%s", base, MAP_TMP);
	plen = strlen(prefix);
	if ((dp = opendir(m->dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strncmp(d->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(d->d_name + plen, &end, 10);
		if (end == d->d_name + plen || pid <= 0 || pid == getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/%s", m->dir, d->d_name);
		unlink(p);
	}
	closedir(dp);
}

/* file_sync - give postmap's database the map's mode, and fsync it */
static int
file_sync(const char *path, mode_t mode, char *err, size_t errlen)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		snprintf(err, errlen, "fsync %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/* dir_sync - fsync a directory, so that renames in it last */
static int
dir_sync(const char *dir, char *err, size_t errlen)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "fsync %s: %s", dir, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/* map_ready - what the map needs from Postfix and the system is there:
 * 0, or -1 with what is missing and what to do in err (said plainly
 * rather than as postmap's "fatal: open .../main.cf") */
int
map_ready(const struct fw_map *m, char *err, size_t errlen)
{
	static const char off[] = "or turn the map off with access_map = "
	    "(empty)";
	const char	*confdir = m->confdir[0] != '\0' ? m->confdir :
	    MAP_CONFDIR;
	char		 maincf[PATH_MAX + 16];
	struct stat	 sb;
	int		 postmap;

	/* Only a missing program means "not installed"; any other failure
	 * to run it is postmap's own, said when it is run. */
	postmap = access(m->postmap, X_OK) == 0 || errno != ENOENT;
	if (!postmap && (map_types[m->type].suffix != NULL ||
	    stat(m->dir, &sb) == -1)) {
		snprintf(err, errlen, "Postfix is not installed here (no "
		    "postmap at %s, postmap_command): install Postfix, %s",
		    m->postmap, off);
		return (-1);
	}
	snprintf(maincf, sizeof(maincf), "%s/main.cf", confdir);
	if (map_types[m->type].suffix != NULL && stat(maincf, &sb) == -1 &&
	    errno == ENOENT) {
		snprintf(err, errlen, "Postfix is installed but has no "
		    "main.cf in %s (postfix_config_directory), which postmap "
		    "needs: configure Postfix first (Debian: dpkg-reconfigure "
		    "postfix), or set postfix_config_directory to the "
		    "instance's directory, %s", confdir, off);
		return (-1);
	}
	if (stat(m->dir, &sb) == -1 && errno == ENOENT) {
		snprintf(err, errlen, "map directory %s does not exist: "
		    "create it, writable by fivefifty's user (make install "
		    "does), %s", m->dir, off);
		return (-1);
	}
	return (0);
}

/* map_present - is there a map in place (the database Postfix reads) */
int
map_present(const struct fw_map *m)
{
	const char	*suffix = map_types[m->type].suffix;
	char		 db[MAP_TMP_MORE];
	struct stat	 sb;

	snprintf(db, sizeof(db), "%s%s", m->path, suffix != NULL ? suffix :
	    "");
	return (stat(db, &sb) == 0);
}

/* map_write - rewrite the map from the bans in force, atomically */
int
map_write(struct fw_map *m, const struct fw_ban *bans, size_t n,
    long long now, char *err, size_t errlen)
{
	const char	*suffix = map_types[m->type].suffix;
	struct map_ent	*e;
	struct stat	 sb;
	char		 tmp[MAP_TMP_LEN], tdb[MAP_TMP_MORE], db[MAP_TMP_MORE];
	size_t		 ne;
	mode_t		 mode = 0644;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (map_ready(m, err, errlen) == -1)
		return (-1);
	if (ents_build(m, bans, n, now, &e, &ne) == -1) {
		snprintf(err, errlen, "map %s: out of memory", m->path);
		return (-1);
	}
	/* Said plainly: a directory we cannot write in (read-only mount,
	 * permissions) rather than what creating the temporary gave (a
	 * left-over temporary that cannot be removed gives EEXIST). */
	if (faccessat(AT_FDCWD, m->dir, W_OK, AT_EACCESS) == -1 &&
	    errno != ENOENT) {
		snprintf(err, errlen, "map directory %s is not writable: %s "
		    "(the map is rewritten by a new file in it; make it "
		    "writable for fivefifty's user)", m->dir, strerror(errno));
		free(e);
		return (-1);
	}
	if (stat(m->path, &sb) == 0 && S_ISREG(sb.st_mode))
		mode = sb.st_mode & 0666;
	snprintf(tmp, sizeof(tmp), "%s%s%ld", m->path, MAP_TMP,
	    (long)getpid());
	tmp_remove(m, tmp);	/* ours, from an earlier run with this pid */
	stale_remove(m);	/* those of fivefifty processes that died */
	if (source_write(m, tmp, mode, e, ne, err, errlen) == -1)
		goto fail;
	free(e);
	e = NULL;
	if (suffix != NULL) {
		snprintf(tdb, sizeof(tdb), "%s%s", tmp, suffix);
		snprintf(db, sizeof(db), "%s%s", m->path, suffix);
		if (postmap_run(m, tmp, err, errlen) == -1)
			goto fail;
		if (stat(tdb, &sb) == -1) {
			snprintf(err, errlen, "postmap %s:%s made no %s: %s",
			    map_types[m->type].name, tmp, tdb, strerror(errno));
			goto fail;
		}
		if (file_sync(tdb, mode, err, errlen) == -1)
			goto fail;
		if (rename(tdb, db) == -1) {
			snprintf(err, errlen, "rename %s to %s: %s", tdb, db,
			    strerror(errno));
			goto fail;
		}
	}
	if (rename(tmp, m->path) == -1) {
		snprintf(err, errlen, "rename %s to %s: %s", tmp, m->path,
		    strerror(errno));
		goto fail;
	}
	return (dir_sync(m->dir, err, errlen));

fail:
	free(e);
	tmp_remove(m, tmp);
	return (-1);
}
