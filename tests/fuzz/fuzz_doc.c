/* fuzz_doc: node_doc_decode (local API requests) and JSON printing of
 * whatever decodes. */
#include <stdlib.h>

#include "crdt/crdt.h"
#include "node/api/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_doc *d;
	if (node_doc_decode(data, size, &d) != 0)
		return 0;
	free(node_doc_to_json(d, false));
	node_doc_free(d);
	return 0;
}
