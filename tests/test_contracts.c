/*	$fivefifty: test_contracts.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_contracts 1 - the sources' contracts and the module graph hold
 * DESCRIPTION
 *	Runs scripts/contracts.py on the tree: every header's SYNOPSIS lists
 *	the functions it declares, every "name - purpose" line names the
 *	function below it, includes follow the module graph and SQLite is
 *	spoken only in state/. A second test gives the checker a small tree
 *	with one fault of each kind and checks that it names each one, so
 *	that a silent checker cannot pass the first.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

/* contracts - run the checker on dir */
static int
contracts(const char *dir, struct run_result *r)
{
	char *const	 argv[] = { "/usr/bin/python3", "scripts/contracts.py",
	    (char *)dir, NULL };

	return (run_cmd(argv, NULL, 0, r));
}

/* test_contracts_tree - the tree keeps its own rules */
static void
test_contracts_tree(void **state)
{
	struct run_result r;
	int		 status, clean;

	(void)state;
	assert_int_equal(contracts(".", &r), 0);
	if ((status = r.status) != 0)
		print_message("%s%s", r.out, r.err);
	clean = strstr(r.out, " 0 findings") != NULL;
	run_free(&r);
	assert_int_equal(status, 0);
	assert_true(clean);
}

/* put - write text into dir/name, making dir/sub first */
static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*strrchr(path, '/') = '\0';
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* test_contracts_catches - each kind of fault is found and named */
static void
test_contracts_catches(void **state)
{
	static const char *const want[] = {
		"util/x.h:11: x_two() is declared but not in the SYNOPSIS",
		"util/x.h:1: the SYNOPSIS lists x_gone()",
		"util/x.c:8: \"/* x_three -\" stands above x_two()",
		"x_bare() has no \"/* x_bare - purpose */\" line",
		"daemon/y.c:1: daemon/ includes cmd/cmd.h",
		"cmd/z.c:1: SQLite outside state/",
		"firewall/w.c:1: score/score_int.h is internal to score/",
		"5 files, 8 findings",
	};
	char		 dir[] = "/tmp/ff-contracts.XXXXXX", cmd[600];
	struct run_result r;
	size_t		 i;
	int		 st, status, missing = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put(dir, "util/x.h", "/*\n * NAME\n *\tx 3h - x\n * SYNOPSIS\n"
	    " *\tint\tx_one(int a);\n *\tint\tx_gone(void);\n"
	    " * DESCRIPTION\n *\tx.\n */\nint\tx_one(int);\n"
	    "int\tx_two(const char *);\n");
	put(dir, "util/x.c", "/* x_one - one */\nint\nx_one(int a)\n{\n"
	    "\treturn (a);\n}\n\n/* x_three - two */\nint\nx_two("
	    "const char *s)\n{\n\treturn (s != 0);\n}\n\nstatic int\n"
	    "x_bare(void)\n{\n\treturn (0);\n}\n");
	put(dir, "daemon/y.c", "#include \"cmd/cmd.h\"\n");
	put(dir, "cmd/z.c", "#include <sqlite3.h>\n");
	put(dir, "firewall/w.c", "#include \"score/score_int.h\"\n");
	assert_int_equal(contracts(dir, &r), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, &st));
	assert_int_equal(st, 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(r.out, want[i]) == NULL) {
			print_message("missing \"%s\" in:\n%s", want[i], r.out);
			missing++;
		}
	status = r.status;
	run_free(&r);
	assert_int_equal(status, 1);
	assert_int_equal(missing, 0);
}
const struct CMUnitTest contracts_tests[] = {
	cmocka_unit_test(test_contracts_tree),
	cmocka_unit_test(test_contracts_catches),
};
const size_t contracts_tests_count = sizeof(contracts_tests) /
    sizeof(contracts_tests[0]);
