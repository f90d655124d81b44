/* fuzz_wire: net_wire_decode on bytes from peers. Whatever decodes must
 * re-encode to the same bytes. */
#include <assert.h>
#include <string.h>

#include "crdt/crdt.h"
#include "net/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_wire_msg m;
	const char *why;
	if (net_wire_decode(data, size, &m, &why) != 0)
		return 0;
	if (m.type != NET_WIRE_UNKNOWN) {
		struct crdt_buf b;
		crdt_buf_init(&b);
		net_wire_encode(&b, &m);
		assert(b.len == size && memcmp(b.data, data, size) == 0);
		crdt_buf_fini(&b);
	}
	net_wire_msg_fini(&m);
	return 0;
}
