#include "tests.h"
const struct CMUnitTest grok_tests[] = { { NULL, NULL, NULL, NULL, NULL } };
const size_t grok_tests_count = 0;
