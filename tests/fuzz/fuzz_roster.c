/* fuzz_roster: node_roster_decode and genesis verification on untrusted
 * bytes (a roster file handed to `ward network join`). */
#include "node/ledger/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_roster *r;
	enum node_msg why;
	if (node_roster_decode(data, size, &r, &why) != 0)
		return 0;
	(void)node_roster_verify_genesis(r, &why);
	node_roster_free(r);
	return 0;
}
