/* fuzz_entry: crdt_entry_decode on untrusted bytes (gossip, import). Any
 * entry that decodes must re-encode to exactly its own bytes. */
#include <assert.h>
#include <string.h>

#include "crdt/crdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crdt_entry e;
	if (crdt_entry_decode(data, size, &e, NULL) != 0)
		return 0;
	struct crdt_buf b, w;
	crdt_buf_init(&b);
	crdt_buf_init(&w);
	crdt_entry_encode_body(&b, &e);
	assert(b.len == e.body_len && memcmp(b.data, e.body, b.len) == 0);
	crdt_entry_encode_wire(&w, b.data, b.len, e.sig);
	assert(w.len == size && memcmp(w.data, data, size) == 0);
	crdt_buf_fini(&b);
	crdt_buf_fini(&w);
	crdt_entry_fini(&e);
	return 0;
}
